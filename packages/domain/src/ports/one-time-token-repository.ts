import type { OneTimeToken, OneTimeTokenPurpose } from '../one-time-token.js';
import type { UserId } from '../user.js';

/** Stores single-use tokens (verification, reset, link) by hash. */
export interface OneTimeTokenRepository {
  /** Stores a new, unused token. */
  insert(token: OneTimeToken): Promise<void>;
  /**
   * Marks every live token of the user with one of `purposes` superseded at `now`, but `exceptHash`.
   * @returns how many.
   */
  supersede(
    userId: UserId,
    purposes: readonly OneTimeTokenPurpose[],
    now: Date,
    exceptHash?: string,
  ): Promise<number>;
  /**
   * Redeems a token atomically (one conditional write): of concurrent callers, exactly one gets it.
   * @returns the token as used, or null when it is unknown, of another purpose, used, superseded
   * or expired at `now`.
   */
  consume(
    tokenHash: string,
    purposes: readonly OneTimeTokenPurpose[],
    now: Date,
  ): Promise<OneTimeToken | null>;
  /** @returns the token whatever its state, or null when unknown. */
  find(tokenHash: string): Promise<OneTimeToken | null>;
}
