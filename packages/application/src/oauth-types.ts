import type {
  AuthProviderName,
  IdentityProvider,
  OAuthStateStore,
  User,
  UserId,
} from '@latchkey/domain';
import type { AccountDeps } from './deps.js';
import type { TokenPair } from './types.js';

/** Social login settings. */
export interface OAuthSettings {
  /** Seconds an authorization request may take (the state cookie's Max-Age). */
  readonly stateTtl: number;
  /** Seconds a link token stays redeemable. */
  readonly linkTokenTtl: number;
  /** Origins allowed in `redirectTo` besides relative paths. */
  readonly redirectOrigins: readonly string[];
  /** @returns this service's callback URL for `provider` (built from PUBLIC_URL). */
  readonly callbackUrl: (provider: AuthProviderName) => string;
}

/** What the social login use cases need, as ports. */
export interface OAuthDeps extends Pick<
  AccountDeps,
  | 'users'
  | 'unitOfWork'
  | 'clock'
  | 'ids'
  | 'secrets'
  | 'accessTokens'
  | 'settings'
  | 'permissionCache'
  | 'events'
> {
  /** The configured providers: one that is absent is unknown to the API. */
  readonly providers: ReadonlyMap<AuthProviderName, IdentityProvider>;
  readonly states: OAuthStateStore;
  readonly oauth: OAuthSettings;
}

/**
 * An authorization request in flight, bound to the browser by the signed `oauth_state` cookie
 * (the transport keeps it; the state itself is also redeemable only once through the store).
 */
export interface OAuthFlow {
  readonly provider: AuthProviderName;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Where the browser goes after a success (checked when the flow began). */
  readonly redirectTo: string;
  /** The signed-in user a connect links the identity to; null for a sign-in. */
  readonly userId: UserId | null;
  readonly expiresAt: Date;
}

/** Why a callback with a valid state still failed (`/account?error=<code>`). */
export const OAUTH_FAILURES = [
  'identity_in_use',
  'provider_already_linked',
  'account_suspended',
  'account_unavailable',
  'provider_error',
] as const;
export type OAuthFailure = (typeof OAUTH_FAILURES)[number];

/** How a callback with a valid state ended. */
export type OAuthOutcome =
  | {
      readonly kind: 'signed_in';
      readonly redirectTo: string;
      readonly user: User;
      readonly tokens: TokenPair;
      /** true when the sign-in made a new account. */
      readonly created: boolean;
    }
  | { readonly kind: 'connected'; readonly redirectTo: string }
  | {
      readonly kind: 'link_required';
      readonly provider: AuthProviderName;
      /** Single use; `POST /oauth/link` redeems it once the password is proven. */
      readonly linkToken: string;
    }
  | { readonly kind: 'failed'; readonly failure: OAuthFailure; readonly cause?: unknown };

/** Ends a callback with `failure`. */
export const failed = (failure: OAuthFailure, cause?: unknown): OAuthOutcome =>
  cause === undefined ? { kind: 'failed', failure } : { kind: 'failed', failure, cause };
