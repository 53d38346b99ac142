import type { AuthProviderName, PendingLink, ProviderIdentity } from '../auth-provider.js';
import type { UserId } from '../user.js';

/** Stores the provider identities linked to users. */
export interface ProviderIdentityRepository {
  /** @returns the identity of (provider, subject), or null when none is linked. */
  find(provider: AuthProviderName, subject: string): Promise<ProviderIdentity | null>;
  /** @returns the user's identities, oldest link first. */
  listForUser(userId: UserId): Promise<ProviderIdentity[]>;
  /**
   * Links an identity. @returns false (and changes nothing) when (provider, subject) is linked
   * already or the user already has an identity of that provider.
   */
  insert(identity: ProviderIdentity): Promise<boolean>;
  /** Refreshes the email the provider reports for (provider, subject). */
  updateEmail(
    provider: AuthProviderName,
    subject: string,
    email: string | null,
    emailVerified: boolean,
  ): Promise<void>;
  /** Unlinks the user's identity of `provider`. @returns false when there was none. */
  delete(userId: UserId, provider: AuthProviderName): Promise<boolean>;
}

/** Stores identities waiting for a password-proven link (`POST /oauth/link`). */
export interface PendingLinkRepository {
  /** Stores a new, unused pending link. */
  insert(link: PendingLink): Promise<void>;
  /** @returns the pending link whatever its state, or null when unknown. */
  find(tokenHash: string): Promise<PendingLink | null>;
  /**
   * Redeems a pending link atomically: of concurrent callers, exactly one gets it.
   * @returns it as used, or null when unknown, used or expired at `now`.
   */
  consume(tokenHash: string, now: Date): Promise<PendingLink | null>;
}
