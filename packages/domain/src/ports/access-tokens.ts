import type { Permission, RoleName } from '../permissions.js';
import type { SessionId } from '../session.js';
import type { UserId } from '../user.js';

/** What an access token asserts about its bearer. */
export interface AccessClaims {
  readonly sub: UserId;
  readonly sid: SessionId;
  readonly roles: readonly RoleName[];
  readonly perms: readonly Permission[];
}

/** A signed access token. */
export interface IssuedAccessToken {
  readonly token: string;
  /** Seconds until it expires. */
  readonly expiresIn: number;
}

/** Signs access tokens (JWT, EdDSA, `kid` header). */
export interface AccessTokenIssuer {
  /** @returns a signed token for `claims`, issued now. */
  issue(claims: AccessClaims): Promise<IssuedAccessToken>;
}
