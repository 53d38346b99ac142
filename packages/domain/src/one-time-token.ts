import type { UserId } from './user.js';

/** What a single-use token is for; each purpose supersedes only its own older tokens. */
export const ONE_TIME_TOKEN_PURPOSES = [
  'verify_account',
  'verify_email_change',
  'password_reset',
  'oauth_link',
] as const;
export type OneTimeTokenPurpose = (typeof ONE_TIME_TOKEN_PURPOSES)[number];

/** A single-use token as stored: its SHA-256 hash only, never the token itself. */
export interface OneTimeToken {
  readonly tokenHash: string;
  readonly userId: UserId;
  readonly purpose: OneTimeTokenPurpose;
  /** The address a verification targets (the account's, or the pending one); null otherwise. */
  readonly email: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** When it was redeemed; null while unused. */
  readonly usedAt: Date | null;
  /** When a newer token of the same purpose (or a reset) killed it; null while alive. */
  readonly supersededAt: Date | null;
}

/** @returns true when the token can still be redeemed at `now`. */
export const isRedeemable = (token: OneTimeToken, now: Date): boolean =>
  token.usedAt === null && token.supersededAt === null && token.expiresAt.getTime() > now.getTime();

/**
 * @returns true when a verification token was already used but is otherwise still valid: the
 * contract answers such a repeat with 200 again instead of invalid_token.
 */
export const isRepeatableVerification = (token: OneTimeToken, now: Date): boolean =>
  (token.purpose === 'verify_account' || token.purpose === 'verify_email_change') &&
  token.usedAt !== null &&
  token.supersededAt === null &&
  token.expiresAt.getTime() > now.getTime();
