import type {
  AuthorizationCallback,
  AuthorizationRequest,
  IdentityProvider,
  ProviderProfile,
} from '@latchkey/domain';
import * as client from 'openid-client';
import { callbackUrlOf, insecureIfHttp } from './openid-connect-provider.js';
import { classifyExchangeError } from './provider-errors.js';

/** GitHub OAuth app settings; the URLs are configurable so tests can use a local stand-in. */
export interface GitHubProviderOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Web base. Default https://github.com */
  readonly url?: string;
  /** API base. Default https://api.github.com */
  readonly apiUrl?: string;
  /** Seconds each request may take. Default 10. */
  readonly timeoutSeconds?: number;
}

interface GitHubUser {
  readonly id?: unknown;
  readonly login?: unknown;
  readonly name?: unknown;
  readonly email?: unknown;
}

interface GitHubEmail {
  readonly email?: unknown;
  readonly primary?: unknown;
  readonly verified?: unknown;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

/**
 * GitHub answers a refused code with HTTP 200 and an `error` member: present it as the 400 that
 * OAuth 2.0 specifies, so it is classified like any other provider's refusal.
 */
const oauthStatusFetch: client.CustomFetch = async (url, options) => {
  const response = await fetch(url, options);
  if (response.status !== 200 || !response.headers.get('content-type')?.includes('json')) {
    return response;
  }
  const body = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(body);
  } catch {
    // not JSON after all: passed on as it came
  }
  const failed = parsed !== null && typeof parsed === 'object' && 'error' in parsed;
  return new Response(body, { status: failed ? 400 : 200, headers: response.headers });
};

/**
 * GitHub: OAuth 2.0 (authorization code with PKCE S256 and state; no ID token) plus its REST
 * API for the profile. Only the primary email counts, and it is verified only when GitHub says
 * that primary address is verified.
 */
export class GitHubProvider implements IdentityProvider {
  readonly name = 'github' as const;
  readonly #config: client.Configuration;
  readonly #apiUrl: string;

  constructor(options: GitHubProviderOptions) {
    const url = (options.url ?? 'https://github.com').replace(/\/+$/, '');
    this.#apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.#config = new client.Configuration(
      {
        issuer: url,
        authorization_endpoint: `${url}/login/oauth/authorize`,
        token_endpoint: `${url}/login/oauth/access_token`,
      },
      options.clientId,
      options.clientSecret,
    );
    const insecure = [...insecureIfHttp(url), ...insecureIfHttp(this.#apiUrl)];
    if (insecure[0] !== undefined) insecure[0](this.#config);
    this.#config[client.customFetch] = oauthStatusFetch;
    this.#config.timeout = options.timeoutSeconds ?? 10;
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    return client.buildAuthorizationUrl(this.#config, {
      redirect_uri: request.redirectUri,
      scope: 'read:user user:email',
      state: request.state,
      code_challenge: await client.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
    }).href;
  }

  async completeAuthorization(callback: AuthorizationCallback): Promise<ProviderProfile> {
    let accessToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(this.#config, callbackUrlOf(callback), {
        pkceCodeVerifier: callback.codeVerifier,
        expectedState: callback.state,
      });
      accessToken = tokens.access_token;
    } catch (error) {
      throw classifyExchangeError(error);
    }
    const user = (await this.api(accessToken, '/user')) as GitHubUser;
    const id = typeof user.id === 'number' || typeof user.id === 'string' ? String(user.id) : '';
    if (id.length === 0) throw new Error('GitHub returned a user without an id');
    const emails = await this.api(accessToken, '/user/emails');
    const primary = Array.isArray(emails)
      ? (emails as GitHubEmail[]).find((e) => e.primary === true && text(e.email) !== null)
      : undefined;
    return {
      subject: id,
      email: text(primary?.email) ?? text(user.email),
      emailVerified: primary !== undefined && primary.verified === true,
      name: text(user.name) ?? text(user.login),
    };
  }

  private async api(accessToken: string, path: string): Promise<unknown> {
    const response = await client.fetchProtectedResource(
      this.#config,
      accessToken,
      new URL(`${this.#apiUrl}${path}`),
      'GET',
      undefined,
      new Headers({
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'latchkey',
      }),
    );
    if (!response.ok) throw new Error(`GitHub API ${path} answered ${response.status}`);
    return response.json();
  }
}
