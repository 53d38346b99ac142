import t from 'tap';
import { GOOD_PASSWORD, refreshCookieOf, signUp, startTestServer } from './support/test-server.js';
import { stateCookieOf } from './support/oauth/oauth-harness.js';
import {
  authorizeAtGitHub,
  startGitHubStandIn,
  type GitHubTestUser,
} from './support/oauth/github-stand-in.js';

const client = { clientId: 'gh-client', clientSecret: 'gh-secret-0123456789' };
const github = await startGitHubStandIn(client);
const ts = await startTestServer({
  PUBLIC_URL: 'http://localhost:3000',
  OAUTH_GITHUB_CLIENT_ID: client.clientId,
  OAUTH_GITHUB_CLIENT_SECRET: client.clientSecret,
  OAUTH_GITHUB_URL: github.url,
  OAUTH_GITHUB_API_URL: github.apiUrl,
});
const { app } = ts;
t.teardown(async () => {
  await ts.close();
  await github.close();
});

const as = (token: string) => ({ authorization: `Bearer ${token}` });
let ids = 1000;
const user = (fields: Partial<GitHubTestUser>): GitHubTestUser => {
  ids += 1;
  return { id: ids, login: `octo${ids}`, name: null, email: null, emails: [], ...fields };
};
const address = (tag: string) => `${tag}.${process.pid}.${Date.now()}@example.com`;

const signIn = async (as: GitHubTestUser) => {
  github.signInAs(as);
  const authorize = await app.inject({ method: 'GET', url: '/api/v1/oauth/github/authorize' });
  const location = new URL(String(authorize.headers.location));
  const callback = await authorizeAtGitHub(location.href);
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/oauth/github/callback${callback.search}`,
    headers: { cookie: `oauth_state=${stateCookieOf(authorize)}` },
  });
  return { authorize: location, callback, res, cookie: stateCookieOf(authorize) ?? '' };
};

const meOf = async (res: { headers: Record<string, unknown> }) => {
  const refresh = refreshCookieOf(res.headers['set-cookie'] as string[]);
  const out = await app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    headers: { cookie: `refresh_token=${refresh}` },
  });
  const token = out.json().accessToken as string;
  return (await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(token) })).json()
    .user;
};

t.test('authorize: GitHub authorization URL with PKCE S256 and state, no nonce', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/oauth/github/authorize' });
  t.equal(res.statusCode, 302);
  const url = new URL(String(res.headers.location));
  t.equal(`${url.origin}${url.pathname}`, `${github.url}/login/oauth/authorize`);
  t.equal(url.searchParams.get('client_id'), client.clientId);
  t.equal(url.searchParams.get('code_challenge_method'), 'S256');
  t.ok(url.searchParams.get('state'));
  t.equal(url.searchParams.get('scope'), 'read:user user:email');
  const list = await app.inject({ method: 'GET', url: '/api/v1/oauth/providers' });
  t.same(list.json(), { items: [{ name: 'github' }] });
});

t.test('primary verified email: a new active account, subject = GitHub id', async (t) => {
  const email = address('octo-verified');
  const octo = user({
    name: 'Octo Cat',
    emails: [
      { email: address('secondary'), primary: false, verified: true },
      { email, primary: true, verified: true },
    ],
  });
  const { res } = await signIn(octo);
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/account');
  const me = await meOf(res);
  t.equal(me.email, email);
  t.equal(me.status, 'active');
  t.equal(me.displayName, 'Octo Cat');
  const last = github.tokenRequests.at(-1);
  t.ok(last?.code_verifier, 'the PKCE verifier is sent');
  // Signs in to the same account by id, even after the email changes on GitHub.
  const moved = { ...octo, emails: [{ email: address('moved'), primary: true, verified: true }] };
  const again = await signIn(moved);
  t.equal((await meOf(again.res)).id, me.id);
});

t.test('only a primary verified email counts as verified', async (t) => {
  // A verified secondary and an unverified primary: the primary is used, unverified.
  const email = address('octo-unverified-primary');
  const octo = user({
    login: 'nameless',
    emails: [
      { email, primary: true, verified: false },
      { email: address('verified-secondary'), primary: false, verified: true },
    ],
  });
  const { res } = await signIn(octo);
  const me = await meOf(res);
  t.equal(me.email, email);
  t.equal(me.status, 'unverified');
  t.equal(me.displayName, 'nameless', 'the login when there is no name');

  // An existing local account with that unverified primary email is not linked automatically.
  const local = await signUp(app, address('local-gh'));
  const claim = await signIn(
    user({ emails: [{ email: local.email, primary: true, verified: false }] }),
  );
  t.match(String(claim.res.headers.location), /^\/account\?link=[\w-]+&provider=github$/);
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/login',
        payload: { email: local.email, password: GOOD_PASSWORD },
      })
    ).statusCode,
    200,
  );

  // Without any email at all, no account can be made.
  const none = await signIn(user({ emails: [] }));
  t.equal(none.res.headers.location, '/account?error=provider_error');
});

t.test("GitHub's refused code (HTTP 200 + error) is invalid_oauth_state", async (t) => {
  const octo = user({ emails: [{ email: address('replay-gh'), primary: true, verified: true }] });
  const first = await signIn(octo);
  t.equal(first.res.statusCode, 302);
  // The used code again, with a fresh valid state.
  github.signInAs(octo);
  const fresh = await app.inject({ method: 'GET', url: '/api/v1/oauth/github/authorize' });
  const state = new URL(String(fresh.headers.location)).searchParams.get('state') ?? '';
  const replay = new URL(first.callback);
  replay.searchParams.set('state', state);
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/oauth/github/callback${replay.search}`,
    headers: { cookie: `oauth_state=${stateCookieOf(fresh)}` },
  });
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'invalid_oauth_state');
});

t.test('a GitHub API failure after a valid state is provider_error', async (t) => {
  github.signInAs(
    user({ emails: [{ email: address('api-down'), primary: true, verified: true }] }),
  );
  const authorize = await app.inject({ method: 'GET', url: '/api/v1/oauth/github/authorize' });
  const callback = await authorizeAtGitHub(String(authorize.headers.location));
  github.apiDown = true;
  t.teardown(() => {
    github.apiDown = false;
  });
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/oauth/github/callback${callback.search}`,
    headers: { cookie: `oauth_state=${stateCookieOf(authorize)}` },
  });
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/account?error=provider_error');
});
