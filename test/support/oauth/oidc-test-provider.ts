import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** A test account of the local provider; `emailVerified` is sent as given (even a string). */
export interface TestAccount {
  readonly id: string;
  readonly email?: string;
  readonly emailVerified?: boolean | string;
  readonly name?: string;
}

export interface OidcTestProviderOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  /**
   * true: email claims only from userinfo (oidc-provider's conforming default); false (default):
   * in the ID token too.
   */
  readonly conformIdTokenClaims?: boolean;
}

/** A real OpenID provider (`oidc-provider`) on 127.0.0.1, with accounts the test adds. */
export interface OidcTestProvider {
  readonly issuer: string;
  readonly accounts: Map<string, TestAccount>;
  /** Adds (or replaces) an account; sign in with its `id` as login, any password. */
  addAccount(account: TestAccount): TestAccount;
  close(): Promise<void>;
}

/** Starts `oidc-provider` on a free loopback port, with dev interactions and auto-consent. */
export const startOidcTestProvider = async (
  options: OidcTestProviderOptions,
): Promise<OidcTestProvider> => {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: {
      keys: [
        { ...privateKey.export({ format: 'jwk' }), kid: 'test-rsa', use: 'sig', alg: 'RS256' },
      ],
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: options.conformIdTokenClaims ?? false,
    cookies: { keys: ['oidc-test-provider-cookie-key'] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (account === undefined) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          ...(account.email === undefined ? {} : { email: account.email }),
          ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }),
          ...(account.name === undefined ? {} : { name: account.name }),
        }),
      };
    },
    // Consent is granted at once: the tests sign in, they do not click through a consent page.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const client = ctx.oidc.client;
      const session = ctx.oidc.session;
      if (client === undefined || session === undefined || session.accountId === undefined) {
        return undefined;
      }
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['email', 'email_verified', 'name']);
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    void handle(req, res);
  });

  return {
    issuer,
    accounts,
    addAccount(account) {
      accounts.set(account.id, account);
      return account;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
};

/** Cookies by name, for one host (the tests talk to one provider per jar). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair === undefined || at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line))
        this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Drives the provider's dev sign-in as a browser would (manual redirects, a cookie jar): opens
 * `authorizeUrl`, signs in as `accountId`, and follows redirects until one leaves the provider.
 * @returns that URL: the client's callback with `code`, `state` and `iss`.
 */
export const signInAtProvider = async (
  authorizeUrl: string,
  accountId: string,
  jar = new CookieJar(),
): Promise<URL> => {
  const origin = new URL(authorizeUrl).origin;
  let url = new URL(authorizeUrl);
  let submitted = false;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response);
    const location = response.headers.get('location');
    if (location !== null) {
      url = new URL(location, url);
      if (url.origin !== origin) return url;
      continue;
    }
    const html = await response.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (submitted || action === undefined) {
      throw new Error(
        `unexpected provider page at ${url.href} (${response.status}): ${html.slice(0, 300)}`,
      );
    }
    submitted = true;
    const post = await fetch(new URL(action.replaceAll('&amp;', '&'), url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login: accountId, password: 'any' }).toString(),
    });
    jar.store(post);
    const next = post.headers.get('location');
    if (next === null) throw new Error(`sign-in was not accepted (${post.status})`);
    url = new URL(next, url);
    if (url.origin !== origin) return url;
  }
  throw new Error('too many redirects at the provider');
};
