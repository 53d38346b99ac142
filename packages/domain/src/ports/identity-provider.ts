import type { AuthProviderName, ProviderProfile } from '../auth-provider.js';

/** What the authorization request carries, bound to the browser by the state cookie. */
export interface AuthorizationRequest {
  /** This service's callback URL for the provider. */
  readonly redirectUri: string;
  readonly state: string;
  readonly nonce: string;
  /** PKCE verifier; the provider gets its S256 challenge. */
  readonly codeVerifier: string;
}

/** The provider's redirect back, with what the authorization request was bound to. */
export interface AuthorizationCallback extends AuthorizationRequest {
  /** The callback's query parameters (`code`, `state`, `iss`, whatever else the provider adds). */
  readonly params: Readonly<Record<string, string>>;
}

/** A sign-in provider (OpenID Connect, or OAuth 2.0 plus a user API). */
export interface IdentityProvider {
  readonly name: AuthProviderName;
  /** @returns the provider's authorization URL for `request` (code flow, PKCE S256, state, nonce). */
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
  /**
   * Exchanges the code and validates the result (ID token issuer, audience, nonce, expiry and
   * signature where there is one). @returns what the provider asserts about the user.
   * @throws InvalidOAuthStateError when the response does not belong to this flow (nonce or PKCE
   * mismatch, code already used); anything else thrown means the provider failed.
   */
  completeAuthorization(callback: AuthorizationCallback): Promise<ProviderProfile>;
}
