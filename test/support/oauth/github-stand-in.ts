import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A GitHub user of the stand-in, with the addresses `/user/emails` lists. */
export interface GitHubTestUser {
  readonly id: number;
  readonly login: string;
  readonly name: string | null;
  /** The public profile email (may be null, as on GitHub). */
  readonly email: string | null;
  readonly emails: readonly { email: string; primary: boolean; verified: boolean }[];
}

export interface GitHubStandIn {
  /** Web base (`OAUTH_GITHUB_URL`). */
  readonly url: string;
  /** API base (`OAUTH_GITHUB_API_URL`), deliberately not at the root. */
  readonly apiUrl: string;
  /** Requests to the token endpoint, as received (form fields). */
  readonly tokenRequests: Record<string, string>[];
  /** The user the next authorization signs in as. */
  signInAs(user: GitHubTestUser): void;
  /** true: the REST API answers 503 (the OAuth endpoints keep working). */
  apiDown: boolean;
  close(): Promise<void>;
}

interface Grant {
  readonly user: GitHubTestUser;
  readonly challenge: string;
  readonly redirectUri: string;
  used: boolean;
}

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

const readBody = async (req: http.IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * A small stand-in for GitHub's OAuth endpoints (authorize, access_token) and its REST API
 * (`/user`, `/user/emails`) on 127.0.0.1. Like GitHub, a refused code is HTTP 200 with an
 * `error` member; PKCE (S256) is checked.
 */
export const startGitHubStandIn = async (client: {
  readonly clientId: string;
  readonly clientSecret: string;
}): Promise<GitHubStandIn> => {
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, GitHubTestUser>();
  const tokenRequests: Record<string, string>[] = [];
  let next: GitHubTestUser | null = null;

  const authorize = (url: URL, res: http.ServerResponse): void => {
    const q = url.searchParams;
    if (q.get('client_id') !== client.clientId || next === null) {
      return json(res, 400, { error: 'bad request' });
    }
    if (q.get('code_challenge_method') !== 'S256') return json(res, 400, { error: 'S256 only' });
    const code = randomBytes(10).toString('hex');
    grants.set(code, {
      user: next,
      challenge: q.get('code_challenge') ?? '',
      redirectUri: q.get('redirect_uri') ?? '',
      used: false,
    });
    const back = new URL(q.get('redirect_uri') ?? '');
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { location: back.href });
    res.end();
  };

  const clientOf = (req: http.IncomingMessage, form: Record<string, string>): string[] => {
    const basic = Buffer.from(
      (req.headers.authorization ?? '').replace(/^Basic /, ''),
      'base64',
    ).toString();
    return basic.includes(':')
      ? basic.split(':').map(decodeURIComponent)
      : [form.client_id ?? '', form.client_secret ?? ''];
  };

  const accessToken = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    tokenRequests.push(form);
    const [id, secret] = clientOf(req, form);
    if (id !== client.clientId || secret !== client.clientSecret) {
      return json(res, 200, { error: 'incorrect_client_credentials' });
    }
    const grant = grants.get(form.code ?? '');
    const challenge = createHash('sha256')
      .update(form.code_verifier ?? '')
      .digest('base64url');
    const valid =
      grant !== undefined &&
      !grant.used &&
      grant.challenge === challenge &&
      grant.redirectUri === form.redirect_uri;
    if (!valid) {
      // As GitHub does: HTTP 200 with an error member.
      return json(res, 200, {
        error: 'bad_verification_code',
        error_description: 'The code passed is incorrect or expired.',
      });
    }
    grant.used = true;
    const token = `gho_${randomBytes(16).toString('hex')}`;
    tokens.set(token, grant.user);
    json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
  };

  const api = (url: URL, req: http.IncomingMessage, res: http.ServerResponse): void => {
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
    if (standIn.apiDown) return json(res, 503, { message: 'Service unavailable' });
    if (user === undefined) return json(res, 401, { message: 'Bad credentials' });
    if (req.headers['user-agent'] === undefined) {
      return json(res, 403, { message: 'User-Agent required' });
    }
    if (url.pathname === '/api/user') {
      return json(res, 200, { id: user.id, login: user.login, name: user.name, email: user.email });
    }
    if (url.pathname === '/api/user/emails') {
      return json(
        res,
        200,
        user.emails.map((e) => ({ ...e, visibility: null })),
      );
    }
    json(res, 404, { message: 'Not Found' });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const route = `${req.method ?? ''} ${url.pathname}`;
    if (route === 'GET /login/oauth/authorize') return authorize(url, res);
    if (route === 'POST /login/oauth/access_token') {
      accessToken(req, res).catch((err: unknown) => json(res, 500, { message: String(err) }));
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/api/')) return api(url, req, res);
    json(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const standIn: GitHubStandIn = {
    url,
    apiUrl: `${url}/api`,
    tokenRequests,
    apiDown: false,
    signInAs(user) {
      next = user;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return standIn;
};

/** Follows the stand-in's authorize redirect. @returns the callback URL it sends back to. */
export const authorizeAtGitHub = async (authorizeUrl: string): Promise<URL> => {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || location === null) throw new Error(`authorize failed: ${res.status}`);
  return new URL(location);
};
