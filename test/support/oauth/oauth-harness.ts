import type { LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { createPool } from '@latchkey/adapters-postgres';
import { openFlow, sealFlow } from '@latchkey/adapters-http';
import type { OAuthFlow } from '@latchkey/application';
import { oauthCookieSecret } from '@latchkey/server';
import { refreshCookieOf, startTestServer, type TestServer } from '../test-server.js';
import {
  signInAtProvider,
  startOidcTestProvider,
  type OidcTestProvider,
  type TestAccount,
} from './oidc-test-provider.js';

export const PUBLIC_URL = 'http://localhost:3000';
export const ALLOWED_ORIGIN = 'https://allowed.example';

/** The test server with `oidc` and `google` pointed at two local OpenID providers. */
export interface OAuthHarness {
  readonly ts: TestServer;
  /** `oidc`: email claims in the ID token. */
  readonly oidc: OidcTestProvider;
  /** `google`: email claims from userinfo only (a conforming provider). */
  readonly google: OidcTestProvider;
  readonly secret: Uint8Array;
  /** Adds an account with a unique id to `provider` (default `oidc`). */
  account(fields: Omit<TestAccount, 'id'>, provider?: OidcTestProvider): TestAccount;
  /** GET …/authorize. @returns the response, the provider URL and the state cookie value. */
  authorize(
    provider?: string,
    query?: string,
  ): Promise<{ res: LightMyRequestResponse; location: string; cookie: string }>;
  /** GET …/callback with the provider's redirect and the state cookie (if any). */
  callback(
    provider: string,
    redirect: URL | string,
    cookie: string | null,
  ): Promise<LightMyRequestResponse>;
  /** The whole sign-in: authorize, sign in at the provider as `accountId`, callback. */
  signIn(accountId: string, provider?: string): Promise<LightMyRequestResponse>;
  /** @returns an access token from the refresh cookie of a response. */
  accessTokenOf(res: LightMyRequestResponse): Promise<string>;
  /** The flow a state cookie carries. */
  flowOf(cookie: string): OAuthFlow;
  /** Seals a flow as the server would. */
  seal(flow: OAuthFlow): string;
  /** Runs SQL on the server's database. */
  sql<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

let accounts = 0;

/** @returns the `oauth_state` cookie value of a response, or null. */
export const stateCookieOf = (res: LightMyRequestResponse): string | null => {
  const all = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  for (const line of all) {
    const match = /^oauth_state=([^;]*)/.exec(line);
    if (match && match[1] !== '') return match[1] ?? null;
  }
  return null;
};

export const startOAuthHarness = async (
  env: Record<string, string> = {},
): Promise<OAuthHarness> => {
  const oidc = await startOidcTestProvider({
    clientId: 'latchkey-oidc',
    clientSecret: 'oidc-secret-0123456789',
    redirectUris: [`${PUBLIC_URL}/api/v1/oauth/oidc/callback`],
  });
  const google = await startOidcTestProvider({
    clientId: 'latchkey-google',
    clientSecret: 'google-secret-0123456789',
    redirectUris: [`${PUBLIC_URL}/api/v1/oauth/google/callback`],
    conformIdTokenClaims: true,
  });
  const ts = await startTestServer({
    PUBLIC_URL,
    OAUTH_OIDC_ISSUER: oidc.issuer,
    OAUTH_OIDC_CLIENT_ID: 'latchkey-oidc',
    OAUTH_OIDC_CLIENT_SECRET: 'oidc-secret-0123456789',
    OAUTH_GOOGLE_ISSUER: google.issuer,
    OAUTH_GOOGLE_CLIENT_ID: 'latchkey-google',
    OAUTH_GOOGLE_CLIENT_SECRET: 'google-secret-0123456789',
    OAUTH_REDIRECT_ORIGINS: ALLOWED_ORIGIN,
    ...env,
  });
  const secret = oauthCookieSecret(Buffer.from(ts.config.keyEncryptionKey ?? '', 'base64'));
  const pool = createPool({ connectionString: ts.databaseUrl, max: 2 });

  const harness: OAuthHarness = {
    ts,
    oidc,
    google,
    secret,
    account(fields, provider = oidc) {
      accounts += 1;
      return provider.addAccount({ id: `acct-${process.pid}-${accounts}`, ...fields });
    },
    async authorize(provider = 'oidc', query = '') {
      const res = await ts.app.inject({
        method: 'GET',
        url: `/api/v1/oauth/${provider}/authorize${query}`,
      });
      return {
        res,
        location: String(res.headers.location ?? ''),
        cookie: stateCookieOf(res) ?? '',
      };
    },
    callback(provider, redirect, cookie) {
      const search = typeof redirect === 'string' ? redirect : redirect.search;
      return ts.app.inject({
        method: 'GET',
        url: `/api/v1/oauth/${provider}/callback${search}`,
        headers: cookie === null ? {} : { cookie: `oauth_state=${cookie}` },
      });
    },
    async signIn(accountId, provider = 'oidc') {
      const { location, cookie } = await harness.authorize(provider);
      const redirect = await signInAtProvider(location, accountId);
      return harness.callback(provider, redirect, cookie);
    },
    async accessTokenOf(res) {
      const refresh = refreshCookieOf(res.headers['set-cookie']);
      if (refresh === null)
        throw new Error(`no refresh cookie (${res.statusCode} ${String(res.headers.location)})`);
      const out = await ts.app.inject({
        method: 'POST',
        url: '/api/v1/refresh',
        headers: { cookie: `refresh_token=${refresh}` },
      });
      if (out.statusCode !== 200) throw new Error(`refresh failed: ${out.statusCode}`);
      return out.json<{ accessToken: string }>().accessToken;
    },
    flowOf(cookie) {
      const flow = openFlow(secret, cookie);
      if (flow === null) throw new Error('not a state cookie of this server');
      return flow;
    },
    seal: (flow) => sealFlow(secret, flow),
    async sql(text, values = []) {
      return (await pool.query(text, values)).rows;
    },
    async close() {
      await pool.end();
      await ts.close();
      await oidc.close();
      await google.close();
    },
  };
  return harness;
};
