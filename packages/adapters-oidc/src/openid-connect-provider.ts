import type {
  AuthProviderName,
  AuthorizationCallback,
  AuthorizationRequest,
  IdentityProvider,
  ProviderProfile,
} from '@latchkey/domain';
import { providerSaysVerified } from '@latchkey/domain';
import * as client from 'openid-client';
import { classifyExchangeError } from './provider-errors.js';

/** A provider that speaks OpenID Connect, configured by discovery from its issuer. */
export interface OpenIdConnectProviderOptions {
  readonly name: AuthProviderName;
  /** Issuer URL; its `/.well-known/openid-configuration` is read on first use. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Default `openid email profile`. */
  readonly scope?: string;
  /** Seconds each request to the provider may take. Default 10. */
  readonly timeoutSeconds?: number;
}

const stringClaim = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

/** @returns the callback URL with the provider's parameters, as openid-client reads it. */
export const callbackUrlOf = (callback: AuthorizationCallback): URL => {
  const url = new URL(callback.redirectUri);
  for (const [key, value] of Object.entries(callback.params)) url.searchParams.set(key, value);
  return url;
};

/** Plain http is allowed only when the operator configured an http URL (a local provider). */
export const insecureIfHttp = (url: string): ((config: client.Configuration) => void)[] =>
  new URL(url).protocol === 'http:' ? [client.allowInsecureRequests] : [];

/**
 * Generic OpenID Connect: authorization code with PKCE (S256), state and nonce; the ID token's
 * issuer, audience, expiry, nonce and signature (against the issuer's JWKS) are checked. Email
 * claims come from the ID token, else from the userinfo endpoint.
 */
export class OpenIdConnectProvider implements IdentityProvider {
  readonly name: AuthProviderName;
  #configuration: Promise<client.Configuration> | null = null;

  constructor(private readonly options: OpenIdConnectProviderOptions) {
    this.name = options.name;
  }

  /** Discovery on first use (the provider may be down at start-up), retried after a failure. */
  private configuration(): Promise<client.Configuration> {
    if (this.#configuration === null) {
      const { issuer, clientId, clientSecret } = this.options;
      this.#configuration = client
        .discovery(new URL(issuer), clientId, clientSecret, undefined, {
          execute: [...insecureIfHttp(issuer), client.enableNonRepudiationChecks],
          timeout: this.options.timeoutSeconds ?? 10,
        })
        .catch((error: unknown) => {
          this.#configuration = null;
          throw error;
        });
    }
    return this.#configuration;
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    const config = await this.configuration();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: this.options.scope ?? 'openid email profile',
      state: request.state,
      nonce: request.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
    });
    return url.href;
  }

  async completeAuthorization(callback: AuthorizationCallback): Promise<ProviderProfile> {
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrlOf(callback), {
        pkceCodeVerifier: callback.codeVerifier,
        expectedState: callback.state,
        expectedNonce: callback.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw classifyExchangeError(error);
    }
    const claims = tokens.claims();
    if (claims === undefined) throw new Error('the provider returned no ID token');
    let source: Record<string, unknown> = claims;
    if (stringClaim(claims.email) === null && config.serverMetadata().userinfo_endpoint) {
      // The subject is checked against the ID token's by openid-client.
      source = {
        ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)),
        sub: claims.sub,
      };
    }
    return {
      subject: claims.sub,
      email: stringClaim(source.email),
      emailVerified: providerSaysVerified(source.email_verified),
      name: stringClaim(source.name) ?? stringClaim(claims.name),
    };
  }
}

/** Google: OpenID Connect from its issuer (configurable, so tests can use a local provider). */
export const googleProvider = (options: {
  readonly issuer?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutSeconds?: number;
}): OpenIdConnectProvider =>
  new OpenIdConnectProvider({
    name: 'google',
    issuer: options.issuer ?? 'https://accounts.google.com',
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scope: 'openid email profile',
    ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
  });
