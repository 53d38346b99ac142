import t from 'tap';
import { GOOD_PASSWORD, refreshCookieOf, signUp } from './support/test-server.js';
import { ALLOWED_ORIGIN, startOAuthHarness, stateCookieOf } from './support/oauth/oauth-harness.js';
import { signInAtProvider } from './support/oauth/oidc-test-provider.js';

const h = await startOAuthHarness();
const { app } = h.ts;
t.teardown(() => h.close());

const as = (token: string) => ({ authorization: `Bearer ${token}` });
const email = (tag: string) => `${tag}.${process.pid}.${Date.now()}@example.com`;

t.test(
  'authorize: 302 to the provider with PKCE S256, state and nonce, bound by a signed cookie',
  async (t) => {
    const { res, location } = await h.authorize();
    t.equal(res.statusCode, 302);
    t.equal(res.headers['cache-control'], 'no-store');
    const url = new URL(location);
    t.equal(url.origin, h.oidc.issuer);
    t.equal(url.searchParams.get('response_type'), 'code');
    t.equal(url.searchParams.get('code_challenge_method'), 'S256');
    t.match(url.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
    t.match(url.searchParams.get('state'), /^[A-Za-z0-9_-]{43}$/);
    t.match(url.searchParams.get('nonce'), /^[A-Za-z0-9_-]{43}$/);
    t.equal(
      url.searchParams.get('redirect_uri'),
      'http://localhost:3000/api/v1/oauth/oidc/callback',
    );
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('oauth_state='));
    t.ok(cookie);
    for (const attribute of [
      'HttpOnly',
      'Secure',
      'SameSite=Lax',
      'Path=/api/v1/oauth',
      'Max-Age=600',
    ]) {
      t.ok(cookie?.split('; ').includes(attribute), attribute);
    }
    t.notMatch(
      cookie,
      url.searchParams.get('code_challenge') ?? '',
      'the challenge is not the cookie',
    );
  },
);

t.test('authorize: 404 for an unknown or unconfigured provider', async (t) => {
  for (const provider of ['nope', 'github', 'GOOGLE']) {
    const res = await app.inject({ method: 'GET', url: `/api/v1/oauth/${provider}/authorize` });
    t.equal(res.statusCode, 404, provider);
    t.equal(res.json().code, 'not_found');
    t.equal(stateCookieOf(res), null);
  }
  const callback = await app.inject({
    method: 'GET',
    url: '/api/v1/oauth/github/callback?code=x&state=y',
  });
  t.equal(callback.statusCode, 404);
  const list = await app.inject({ method: 'GET', url: '/api/v1/oauth/providers' });
  t.same(list.json(), { items: [{ name: 'google' }, { name: 'oidc' }] });
});

t.test('redirectTo: relative paths and listed origins only, never an open redirect', async (t) => {
  const refused = [
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://allowed.example.evil.example',
    'https://allowed.example@evil.example',
    'https://user:pw@allowed.example/',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,hi',
    'http://allowed.example',
    '/\n/evil.example',
    '/\t/evil.example',
    'evil.example',
    '',
  ];
  for (const target of refused) {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/oauth/oidc/authorize?redirectTo=${encodeURIComponent(target)}`,
    });
    t.equal(res.statusCode, 400, `refused: ${JSON.stringify(target)}`);
    t.equal(res.json().code, 'validation_failed');
    t.equal(stateCookieOf(res), null);
  }
  for (const target of ['/dashboard?tab=1#top', `${ALLOWED_ORIGIN}/app?x=1`, `${ALLOWED_ORIGIN}`]) {
    const { res, cookie } = await h.authorize('oidc', `?redirectTo=${encodeURIComponent(target)}`);
    t.equal(res.statusCode, 302, `allowed: ${target}`);
    t.ok(
      h
        .flowOf(cookie)
        .redirectTo.startsWith(target.startsWith('/') ? '/dashboard' : ALLOWED_ORIGIN),
    );
  }
  // The redirect after the callback goes where redirectTo said.
  const account = h.account({ email: email('redirect'), emailVerified: true });
  const { location, cookie } = await h.authorize(
    'oidc',
    `?redirectTo=${encodeURIComponent(`${ALLOWED_ORIGIN}/app`)}`,
  );
  const back = await h.callback('oidc', await signInAtProvider(location, account.id), cookie);
  t.equal(back.statusCode, 302);
  t.equal(back.headers.location, `${ALLOWED_ORIGIN}/app`);
});

t.test(
  'new account from a provider with a verified email: active, no password, signed in',
  async (t) => {
    const address = email('fresh');
    const account = h.account({ email: address, emailVerified: true, name: 'Fresh Person' });
    const res = await h.signIn(account.id);
    t.equal(res.statusCode, 302);
    t.equal(res.headers.location, '/account');
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    t.ok(
      cookies.some((c) => /^oauth_state=;/.test(c)),
      'the state cookie is cleared',
    );
    const refresh = cookies.find((c) => c.startsWith('refresh_token='));
    t.ok(
      refresh?.includes('SameSite=Strict') &&
        refresh.includes('HttpOnly') &&
        refresh.includes('Path=/api/v1'),
    );
    const token = await h.accessTokenOf(res);
    const me = (
      await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(token) })
    ).json().user;
    t.equal(me.email, address);
    t.equal(me.status, 'active');
    t.equal(me.displayName, 'Fresh Person');
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/login',
      payload: { email: address, password: GOOD_PASSWORD },
    });
    t.equal(login.statusCode, 401, 'no password to sign in with');
    const providers = await app.inject({
      method: 'GET',
      url: '/api/v1/users/me/providers',
      headers: as(token),
    });
    t.equal(providers.statusCode, 200);
    t.match(providers.json().items, [{ provider: 'oidc', email: address, linkedAt: String }]);
    const audit = await h.sql<{ type: string }>(
      "select type from audit_events where target_id = $1 and type <> 'user.login_failed' order by created_at, id",
      [me.id],
    );
    t.same(
      audit.map((a) => a.type),
      ['user.registered', 'oauth.linked', 'oauth.login'],
    );

    // Signing in again lands in the same account.
    const again = await h.signIn(account.id);
    t.equal(again.statusCode, 302);
    const second = await h.accessTokenOf(again);
    const same = (
      await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(second) })
    ).json().user;
    t.equal(same.id, me.id);
    const [row] = await h.sql<{ count: number }>(
      'select count(*)::int as count from users where lower(email) = lower($1)',
      [address],
    );
    t.equal(row?.count, 1);
  },
);

t.test('new account from an unverified provider email starts unverified', async (t) => {
  const address = email('unverified-new');
  const res = await h.signIn(h.account({ email: address, emailVerified: false }).id);
  t.equal(res.statusCode, 302);
  const token = await h.accessTokenOf(res);
  const me = (
    await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(token) })
  ).json().user;
  t.equal(me.status, 'unverified');
  const tokens = await h.sql<{ purpose: string }>(
    'select purpose from one_time_tokens where user_id = $1',
    [me.id],
  );
  t.same(
    tokens.map((r) => r.purpose),
    ['verify_account'],
    'a verification mail is queued',
  );
});

t.test('google preset: email from userinfo (not in the ID token)', async (t) => {
  const address = email('google');
  const account = h.account({ email: address, emailVerified: true, name: 'G User' }, h.google);
  const res = await h.signIn(account.id, 'google');
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/account');
  const token = await h.accessTokenOf(res);
  const me = (
    await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(token) })
  ).json().user;
  t.equal(me.email, address);
  t.equal(me.status, 'active');
});

t.test('the callback accepts the extra parameters providers add', async (t) => {
  const account = h.account({ email: email('extra'), emailVerified: true });
  const { location, cookie } = await h.authorize();
  const redirect = await signInAtProvider(location, account.id);
  redirect.searchParams.set('session_state', 'abc');
  redirect.searchParams.set('authuser', '0');
  redirect.searchParams.set('scope', 'openid email');
  const res = await h.callback('oidc', redirect, cookie);
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/account');
  t.ok(refreshCookieOf(res.headers['set-cookie']));
});

t.test(
  'state: missing, forged, mismatched, replayed or expired is 400 invalid_oauth_state',
  async (t) => {
    const account = h.account({ email: email('state'), emailVerified: true });
    const expectState = async (res: Awaited<ReturnType<typeof h.callback>>, what: string) => {
      t.equal(res.statusCode, 400, what);
      t.equal(res.json().code, 'invalid_oauth_state', what);
      t.equal(refreshCookieOf(res.headers['set-cookie']), null, `${what}: no session`);
    };

    let { location, cookie } = await h.authorize();
    let redirect = await signInAtProvider(location, account.id);
    await expectState(await h.callback('oidc', redirect, null), 'no cookie');
    const [version, body, mac] = cookie.split('.');
    const flipped = `${mac?.[0] === 'A' ? 'B' : 'A'}${mac?.slice(1)}`;
    await expectState(
      await h.callback('oidc', redirect, `${version}.${body}.${flipped}`),
      'forged signature',
    );
    const other = h.flowOf(cookie);
    await expectState(
      await h.callback(
        'oidc',
        redirect,
        h.seal({ ...other, state: 'attacker-chosen' }).replace(/\.[^.]+$/, '.AAAA'),
      ),
      'forged payload',
    );
    await expectState(await h.callback('oidc', redirect, 'garbage'), 'garbage cookie');
    const wrongState = new URL(redirect);
    wrongState.searchParams.set('state', 'not-the-state');
    await expectState(await h.callback('oidc', wrongState, cookie), 'state parameter mismatch');
    const twice = new URL(redirect);
    twice.search = `${redirect.search}&state=again`;
    await expectState(await h.callback('oidc', twice, cookie), 'repeated state parameter');
    await expectState(await h.callback('google', redirect, cookie), 'a cookie of another provider');

    // The genuine callback still works (none of the above redeemed the state) …
    const ok = await h.callback('oidc', redirect, cookie);
    t.equal(ok.statusCode, 302);
    // … once.
    await expectState(await h.callback('oidc', redirect, cookie), 'replayed state');

    // Expired: a genuine, unredeemed state whose flow is older than 10 minutes.
    ({ location, cookie } = await h.authorize());
    redirect = await signInAtProvider(location, account.id);
    const expired = h.seal({ ...h.flowOf(cookie), expiresAt: new Date(Date.now() - 1000) });
    await expectState(await h.callback('oidc', redirect, expired), 'expired state');
    await expectState(await h.callback('oidc', redirect, cookie), 'an expired state is burnt');
  },
);

t.test('wrong nonce is 400 invalid_oauth_state', async (t) => {
  const account = h.account({ email: email('nonce'), emailVerified: true });
  const { location, cookie } = await h.authorize();
  const tampered = new URL(location);
  tampered.searchParams.set('nonce', 'a-nonce-the-client-never-sent');
  const redirect = await signInAtProvider(tampered.href, account.id);
  const res = await h.callback('oidc', redirect, cookie);
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'invalid_oauth_state');
  t.equal(refreshCookieOf(res.headers['set-cookie']), null);
});

t.test('code replay and PKCE mismatch are 400 invalid_oauth_state', async (t) => {
  const account = h.account({ email: email('replay'), emailVerified: true });
  const first = await h.authorize();
  const redirect = await signInAtProvider(first.location, account.id);
  t.equal((await h.callback('oidc', redirect, first.cookie)).statusCode, 302);
  // The used code with a fresh, valid state.
  const second = await h.authorize();
  const replay = new URL(redirect);
  replay.searchParams.set('state', h.flowOf(second.cookie).state);
  const replayed = await h.callback('oidc', replay, second.cookie);
  t.equal(replayed.statusCode, 400);
  t.equal(replayed.json().code, 'invalid_oauth_state');

  // A fresh code obtained for one flow, presented with another flow's state and verifier.
  const a = await h.authorize();
  const b = await h.authorize();
  const stolen = await signInAtProvider(a.location, account.id);
  stolen.searchParams.set('state', h.flowOf(b.cookie).state);
  const mismatch = await h.callback('oidc', stolen, b.cookie);
  t.equal(mismatch.statusCode, 400);
  t.equal(mismatch.json().code, 'invalid_oauth_state');
});

t.test('a provider error after a valid state goes to /account?error=provider_error', async (t) => {
  const { cookie } = await h.authorize();
  const state = h.flowOf(cookie).state;
  const res = await h.callback(
    'oidc',
    `?error=access_denied&error_description=no&state=${state}`,
    cookie,
  );
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/account?error=provider_error');
  t.equal(refreshCookieOf(res.headers['set-cookie']), null);
});

t.test('suspended and deleted accounts are sent to the account page', async (t) => {
  const suspended = h.account({ email: email('suspended'), emailVerified: true });
  const first = await h.signIn(suspended.id);
  const token = await h.accessTokenOf(first);
  const id = (
    await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(token) })
  ).json().user.id;
  await h.sql("update users set status = 'suspended' where id = $1", [id]);
  const res = await h.signIn(suspended.id);
  t.equal(res.headers.location, '/account?error=account_suspended');
  t.equal(refreshCookieOf(res.headers['set-cookie']), null);

  await h.sql("update users set status = 'active', deleted_at = now() where id = $1", [id]);
  const gone = await h.signIn(suspended.id);
  t.equal(gone.headers.location, '/account?error=account_unavailable');

  // A deleted account's email still holds: a new identity with it cannot make a new account.
  const local = await signUp(app, email('deleted-local'));
  await app.inject({ method: 'DELETE', url: '/api/v1/users/me', headers: as(local.accessToken) });
  const sameEmail = await h.signIn(h.account({ email: local.email, emailVerified: true }).id);
  t.equal(sameEmail.headers.location, '/account?error=account_unavailable');
});
