import { sameEmail } from './email.js';
import type { User, UserId } from './user.js';

/** Sign-in providers. Adding one means an adapter, a config entry and this list (and the DB check). */
export const AUTH_PROVIDERS = ['google', 'github', 'oidc'] as const;
export type AuthProviderName = (typeof AUTH_PROVIDERS)[number];

/** @returns true when `value` names a known provider (configured or not). */
export const isAuthProviderName = (value: string): value is AuthProviderName =>
  (AUTH_PROVIDERS as readonly string[]).includes(value);

/** What a provider asserts about the person who signed in with it. */
export interface ProviderProfile {
  /** The provider's stable id of the account (`sub`, or GitHub's numeric id). */
  readonly subject: string;
  /** null when the provider shared no email address. */
  readonly email: string | null;
  /** true only when the provider says the email is verified (see `providerSaysVerified`). */
  readonly emailVerified: boolean;
  readonly name: string | null;
}

/** A provider account linked to a user; keyed on (provider, subject), never on email. */
export interface ProviderIdentity {
  readonly userId: UserId;
  readonly provider: AuthProviderName;
  readonly subject: string;
  /** The email the provider reported at the last sign-in, if any. */
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly linkedAt: Date;
}

/**
 * A provider identity waiting to be linked once the local password is proven, redeemable once
 * with its link token (stored as a hash only).
 */
export interface PendingLink {
  readonly tokenHash: string;
  readonly userId: UserId;
  readonly provider: AuthProviderName;
  readonly subject: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** When it was redeemed; null while unused. */
  readonly usedAt: Date | null;
}

/**
 * @returns true only for `true` or the string `"true"`: a missing claim, `false` and the string
 * `"false"` (which some providers send) never count as verified.
 */
export const providerSaysVerified = (claim: unknown): boolean =>
  claim === true || (typeof claim === 'string' && claim.trim().toLowerCase() === 'true');

/**
 * What a provider sign-in whose identity is not linked yet does to the account holding the same
 * email, per the contract's linking rule:
 * - `link`: both sides verified, linked automatically;
 * - `claim`: the provider verified the email but the local account never did: the provider's
 *   user proves ownership and wins (linked, email verified, local password and sessions dropped);
 * - `require_password`: the provider did not verify the email: never linked automatically.
 */
export type LinkDecision = 'link' | 'claim' | 'require_password';

/** Decides the linking rule for `profile` against the `user` holding its email. */
export const linkDecision = (user: User, profile: ProviderProfile): LinkDecision => {
  if (!profile.emailVerified || profile.email === null || !sameEmail(profile.email, user.email)) {
    return 'require_password';
  }
  return user.status === 'unverified' ? 'claim' : 'link';
};

/**
 * @returns how many ways to sign in the user keeps after removing `removing` identities (a
 * password counts as one): the last one may never be removed.
 */
export const signInMethodsLeft = (
  user: Pick<User, 'passwordHash'>,
  identities: readonly Pick<ProviderIdentity, 'provider'>[],
  removing: AuthProviderName,
): number =>
  (user.passwordHash === null ? 0 : 1) + identities.filter((i) => i.provider !== removing).length;
