import type { Permission, RoleName, SessionId, UserId } from '@latchkey/domain';

/** The authenticated caller, from a verified access token. */
export interface Principal {
  readonly userId: UserId;
  readonly sessionId: SessionId;
  readonly roles: readonly RoleName[];
  readonly permissions: readonly Permission[];
}

/** A new refresh token for the cookie, with its remaining absolute lifetime. */
export interface RefreshGrant {
  readonly token: string;
  /** Seconds until the session's absolute end (the cookie's Max-Age). */
  readonly maxAge: number;
}

/** What signing in or refreshing yields. */
export interface TokenPair {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refresh: RefreshGrant;
}
