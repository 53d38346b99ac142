import t from 'tap';
import { GOOD_PASSWORD, refreshCookieOf, signUp } from './support/test-server.js';
import { startOAuthHarness, stateCookieOf } from './support/oauth/oauth-harness.js';
import { signInAtProvider } from './support/oauth/oidc-test-provider.js';

const h = await startOAuthHarness();
const { app } = h.ts;
t.teardown(() => h.close());

const as = (token: string) => ({ authorization: `Bearer ${token}` });
let emails = 0;
const email = (tag: string) => `${tag}.${process.pid}.${Date.now()}.${++emails}@example.com`;
const me = async (token: string) =>
  (await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(token) })).json().user;
const providersOf = async (token: string) =>
  (
    await app.inject({ method: 'GET', url: '/api/v1/users/me/providers', headers: as(token) })
  ).json().items;
const markVerified = (id: string) =>
  h.sql("update users set status = 'active', email_verified_at = now() where id = $1", [id]);
const login = (address: string, password = GOOD_PASSWORD) =>
  app.inject({ method: 'POST', url: '/api/v1/login', payload: { email: address, password } });

/** Polls until the bearer stops working (the contract: within 1 s). */
const rejectedWithin = async (token: string, ms = 3000): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(token) });
    if (res.statusCode === 401) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
};

t.test('both verified: linked automatically, the password still works', async (t) => {
  const local = await signUp(app, email('auto'));
  await markVerified(local.userId);
  const res = await h.signIn(
    h.account({ email: local.email.toUpperCase(), emailVerified: true }).id,
  );
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/account');
  const token = await h.accessTokenOf(res);
  t.equal((await me(token)).id, local.userId, 'the same account');
  t.equal((await login(local.email)).statusCode, 200, 'the password is kept');
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(local.accessToken) }))
      .statusCode,
    200,
    'other sessions are kept',
  );
  t.match(await providersOf(token), [{ provider: 'oidc' }]);
  const audit = await h.sql<{ type: string; data: { via?: string } }>(
    "select type, data from audit_events where target_id = $1 and type like 'oauth.%' order by created_at, id",
    [local.userId],
  );
  t.same(
    audit.map((a) => [a.type, a.data.via]),
    [
      ['oauth.linked', 'email_match'],
      ['oauth.login', undefined],
    ],
  );
});

t.test(
  'pre-hijacking: a verified provider email wins over an unverified local account',
  async (t) => {
    // The attacker registers the victim's address first and keeps a session.
    const victim = email('victim');
    const attacker = await signUp(app, victim);
    const forgot = await app.inject({
      method: 'PUT',
      url: '/api/v1/users/me',
      headers: as(attacker.accessToken),
      payload: { email: email('attacker'), currentPassword: GOOD_PASSWORD },
    });
    t.equal(forgot.statusCode, 200, 'the attacker also started an email change');
    // The real owner signs in with a provider that verified the address.
    const res = await h.signIn(h.account({ email: victim, emailVerified: true }).id);
    t.equal(res.statusCode, 302);
    t.equal(res.headers.location, '/account');
    const token = await h.accessTokenOf(res);
    const user = await me(token);
    t.equal(user.id, attacker.userId, 'the account is linked, not duplicated');
    t.equal(user.status, 'active', 'the email is marked verified');
    t.equal(user.pendingEmail, null, "the attacker's pending email change is dropped");
    t.equal((await login(victim)).statusCode, 401, "the attacker's password is gone");
    const refresh = await app.inject({
      method: 'POST',
      url: '/api/v1/refresh',
      headers: { cookie: `refresh_token=${attacker.refreshToken}` },
    });
    t.equal(refresh.statusCode, 401, "the attacker's session is revoked");
    t.ok(await rejectedWithin(attacker.accessToken), "the attacker's access token stops working");
    const live = await h.sql<{ count: number }>(
      'select count(*)::int as count from one_time_tokens where user_id = $1 and used_at is null and superseded_at is null and expires_at > now()',
      [user.id],
    );
    t.equal(live[0]?.count, 0, "the attacker's outstanding tokens are dead");
    const linked = await h.sql<{ data: Record<string, unknown> }>(
      "select data from audit_events where target_id = $1 and type = 'oauth.linked'",
      [user.id],
    );
    t.match(linked[0]?.data, { provider: 'oidc', claimed: true, passwordRemoved: true });
  },
);

for (const [label, emailVerified] of [
  ['false', false],
  ['the string "false"', 'false'],
  ['missing', undefined],
] as const) {
  t.test(
    `provider email_verified ${label}: never linked until the password is proven`,
    async (t) => {
      const local = await signUp(app, email('needs-password'));
      await markVerified(local.userId);
      const account = h.account({
        email: local.email,
        ...(emailVerified === undefined ? {} : { emailVerified }),
      });
      const res = await h.signIn(account.id);
      t.equal(res.statusCode, 302);
      const target = new URL(String(res.headers.location), 'http://x');
      t.equal(target.pathname, '/account');
      t.equal(target.searchParams.get('provider'), 'oidc');
      const linkToken = target.searchParams.get('link') ?? '';
      t.match(linkToken, /^[A-Za-z0-9_-]{43}$/);
      t.equal(refreshCookieOf(res.headers['set-cookie']), null, 'no session');
      t.same(await providersOf(local.accessToken), [], 'nothing linked yet');
      t.equal((await login(local.email)).statusCode, 200, 'the password is untouched');

      const link = (token: string | null, body: unknown) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/oauth/link',
          headers: token ? as(token) : {},
          payload: body as object,
        });
      t.equal((await link(null, { linkToken })).statusCode, 401);
      const someone = await signUp(app, email('someone-else'));
      const forbidden = await link(someone.accessToken, { linkToken });
      t.equal(forbidden.statusCode, 403);
      t.equal(forbidden.json().code, 'forbidden');
      const unknown = await link(local.accessToken, { linkToken: 'not-a-real-token' });
      t.equal(unknown.statusCode, 400);
      t.equal(unknown.json().code, 'invalid_token');
      t.equal((await link(local.accessToken, { linkToken, extra: 1 })).statusCode, 400);

      const ok = await link(local.accessToken, { linkToken });
      t.equal(ok.statusCode, 200, 'the forbidden attempt did not burn the token');
      t.match(ok.json(), { items: [{ provider: 'oidc', email: local.email, linkedAt: String }] });
      const again = await link(local.accessToken, { linkToken });
      t.equal(again.statusCode, 400, 'single use');
      t.equal(again.json().code, 'invalid_token');

      const signedIn = await h.signIn(account.id);
      t.equal(signedIn.headers.location, '/account');
      t.equal(
        (await me(await h.accessTokenOf(signedIn))).id,
        local.userId,
        'now signs in to that account',
      );
    },
  );
}

t.test(
  'an unverified provider email cannot take over an unverified local account either',
  async (t) => {
    const local = await signUp(app, email('both-unverified'));
    const res = await h.signIn(h.account({ email: local.email, emailVerified: 'false' }).id);
    t.match(String(res.headers.location), /^\/account\?link=/);
    t.equal((await login(local.email)).statusCode, 200);
  },
);

t.test('link tokens: concurrent redemptions, exactly one wins', async (t) => {
  const local = await signUp(app, email('race'));
  const res = await h.signIn(h.account({ email: local.email, emailVerified: false }).id);
  const linkToken = new URL(String(res.headers.location), 'http://x').searchParams.get('link');
  const results = await Promise.all(
    Array.from({ length: 5 }, () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/oauth/link',
        headers: as(local.accessToken),
        payload: { linkToken },
      }),
    ),
  );
  t.same(results.map((r) => r.statusCode).sort(), [200, 400, 400, 400, 400]);
});

t.test('connect: a signed-in user links another provider; no new session', async (t) => {
  const local = await signUp(app, email('connector'));
  const unauthenticated = await app.inject({ method: 'POST', url: '/api/v1/oauth/oidc/connect' });
  t.equal(unauthenticated.statusCode, 401);
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/oauth/nope/connect',
        headers: as(local.accessToken),
      })
    ).statusCode,
    404,
  );
  const badTarget = await app.inject({
    method: 'POST',
    url: '/api/v1/oauth/oidc/connect',
    headers: as(local.accessToken),
    payload: { redirectTo: '//evil.example' },
  });
  t.equal(badTarget.statusCode, 400);

  const connect = await app.inject({
    method: 'POST',
    url: '/api/v1/oauth/oidc/connect',
    headers: as(local.accessToken),
    payload: { redirectTo: '/account?tab=providers' },
  });
  t.equal(connect.statusCode, 200);
  t.equal(connect.headers['cache-control'], 'no-store');
  const { authorizeUrl } = connect.json<{ authorizeUrl: string }>();
  t.equal(new URL(authorizeUrl).origin, h.oidc.issuer);
  const cookie = stateCookieOf(connect) ?? '';
  t.equal(h.flowOf(cookie).userId, local.userId, 'bound to the signed-in user');
  // A different provider email: connecting is explicit, the email need not match.
  const identity = h.account({ email: email('connected-elsewhere'), emailVerified: false });
  const res = await h.callback('oidc', await signInAtProvider(authorizeUrl, identity.id), cookie);
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/account?tab=providers');
  t.equal(refreshCookieOf(res.headers['set-cookie']), null, 'no new session after a connect');
  t.match(await providersOf(local.accessToken), [{ provider: 'oidc', email: identity.email }]);

  // Signing in with that identity now lands in this account.
  const signedIn = await h.signIn(identity.id);
  t.equal((await me(await h.accessTokenOf(signedIn))).id, local.userId);

  // The same identity cannot be connected to another account.
  const other = await signUp(app, email('other-connector'));
  const second = await app.inject({
    method: 'POST',
    url: '/api/v1/oauth/oidc/connect',
    headers: as(other.accessToken),
    payload: {},
  });
  const taken = await h.callback(
    'oidc',
    await signInAtProvider(second.json().authorizeUrl, identity.id),
    stateCookieOf(second),
  );
  t.equal(taken.headers.location, '/account?error=identity_in_use');
  t.same(await providersOf(other.accessToken), []);

  // A second identity of the same provider cannot be added to the first account.
  const third = await app.inject({
    method: 'POST',
    url: '/api/v1/oauth/oidc/connect',
    headers: as(local.accessToken),
  });
  const another = h.account({ email: email('another'), emailVerified: true });
  const refused = await h.callback(
    'oidc',
    await signInAtProvider(third.json().authorizeUrl, another.id),
    stateCookieOf(third),
  );
  t.equal(refused.headers.location, '/account?error=provider_already_linked');
});

t.test(
  'unlink: never the last way to sign in; a provider-only account sets a first password',
  async (t) => {
    const res = await h.signIn(
      h.account({ email: email('provider-only'), emailVerified: true }).id,
    );
    const token = await h.accessTokenOf(res);
    const user = await me(token);
    const last = await app.inject({
      method: 'DELETE',
      url: '/api/v1/users/me/providers/oidc',
      headers: as(token),
    });
    t.equal(last.statusCode, 409);
    t.equal(last.json().code, 'last_login_method');
    t.equal(
      (
        await app.inject({
          method: 'DELETE',
          url: '/api/v1/users/me/providers/google',
          headers: as(token),
        })
      ).statusCode,
      404,
    );
    t.equal(
      (
        await app.inject({
          method: 'DELETE',
          url: '/api/v1/users/me/providers/nope',
          headers: as(token),
        })
      ).statusCode,
      404,
    );
    t.equal(
      (await app.inject({ method: 'DELETE', url: '/api/v1/users/me/providers/oidc' })).statusCode,
      401,
    );

    const withCurrent = await app.inject({
      method: 'POST',
      url: '/api/v1/users/me/password',
      headers: as(token),
      payload: { currentPassword: 'whatever it is', newPassword: GOOD_PASSWORD },
    });
    t.equal(withCurrent.statusCode, 204, 'no password yet: currentPassword is not checked');
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/users/me/password',
      headers: as(token),
      payload: { newPassword: 'another good passphrase' },
    });
    t.equal(again.statusCode, 403, 'now it has one: currentPassword is required');
    t.equal(again.json().code, 'invalid_current_password');

    const unlinked = await app.inject({
      method: 'DELETE',
      url: '/api/v1/users/me/providers/oidc',
      headers: as(token),
    });
    t.equal(unlinked.statusCode, 204);
    t.same(await providersOf(token), []);
    t.equal((await login(user.email)).statusCode, 200, 'the password signs in');
    const audit = await h.sql<{ type: string }>(
      "select type from audit_events where target_id = $1 and type = 'oauth.unlinked'",
      [user.id],
    );
    t.equal(audit.length, 1);
    t.equal(
      (
        await app.inject({
          method: 'DELETE',
          url: '/api/v1/users/me/providers/oidc',
          headers: as(token),
        })
      ).statusCode,
      404,
    );
  },
);

t.test('GET /account: the page, under its own CSP, with no inline code', async (t) => {
  const page = await app.inject({ method: 'GET', url: '/account' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.match(csp, /style-src 'self'/);
  t.match(csp, /frame-ancestors 'none'/);
  t.notMatch(csp, /unsafe-inline|unsafe-eval/);
  t.equal(page.headers['x-frame-options'], 'DENY');
  const html = page.body;
  for (const tag of html.match(/<script\b[^>]*>/g) ?? [])
    t.match(tag, /\ssrc="\/account\/assets\/[a-z]+\.js"/, 'scripts are files');
  t.notMatch(html, /<script\b[^>]*>\s*[^<\s]/, 'no inline script');
  t.notMatch(html, /<style\b/, 'no inline style element');
  t.notMatch(html, /\sstyle=/, 'no style attributes');
  t.notMatch(html, /\son[a-z]+=/, 'no inline event handlers');
  const script = await app.inject({ method: 'GET', url: '/account/assets/account.js' });
  t.equal(script.statusCode, 200);
  t.match(script.headers['content-type'], /^text\/javascript/);
  t.notMatch(script.body, /innerHTML|eval\(|new Function/);
  const style = await app.inject({ method: 'GET', url: '/account/assets/account.css' });
  t.match(style.headers['content-type'], /^text\/css/);
  const reset = await app.inject({ method: 'GET', url: '/account/reset-password?token=abc' });
  t.equal(reset.statusCode, 200);
  t.equal(reset.headers['cache-control'], 'no-store');
  t.equal((await app.inject({ method: 'GET', url: '/account/' })).statusCode, 404);
  t.equal(
    (await app.inject({ method: 'GET', url: '/account/assets/../../package.json' })).statusCode,
    404,
  );
});
