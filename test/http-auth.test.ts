import t from 'tap';
import pg from 'pg';
import {
  GOOD_PASSWORD,
  refreshCookieOf,
  signUp,
  startTestServer,
  uniqueEmail,
} from './support/test-server.js';

const ts = await startTestServer({ REFRESH_REUSE_GRACE: '2' });
const { app } = ts;
t.teardown(() => ts.close());

const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload }), headers });

t.test('register', async (t) => {
  const email = `  Mixed.${uniqueEmail()}  `;
  const res = await post('/api/v1/register', {
    email,
    password: GOOD_PASSWORD,
    displayName: 'Ann',
  });
  t.equal(res.statusCode, 201);
  t.equal(res.headers.location, '/api/v1/users/me');
  t.equal(res.headers['cache-control'], 'no-store');
  const { user } = res.json();
  t.equal(user.email, email.trim(), 'trimmed, case kept');
  t.equal(user.status, 'unverified');
  t.same(user.roles, ['user']);
  t.equal(user.pendingEmail, null);
  t.equal(user.displayName, 'Ann');
  t.match(user.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  t.notOk('passwordHash' in user || 'password_hash' in user, 'no hash leaks');

  const again = await post('/api/v1/register', {
    email: email.toUpperCase(),
    password: GOOD_PASSWORD,
  });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'email_taken');
  t.match(again.headers['content-type'], /application\/problem\+json/);
});

t.test('register validation', async (t) => {
  const cases: [string, object, string][] = [
    ['missing password', { email: uniqueEmail() }, '/password'],
    [
      'unknown property',
      { email: uniqueEmail(), password: GOOD_PASSWORD, roles: ['admin'] },
      '/roles',
    ],
    ['number for a string', { email: 12345, password: GOOD_PASSWORD }, '/email'],
    ['array for a string', { email: [uniqueEmail()], password: GOOD_PASSWORD }, '/email'],
    ['short password', { email: uniqueEmail(), password: 'short' }, '/password'],
    ['129 code points', { email: uniqueEmail(), password: 'é'.repeat(129) }, '/password'],
    ['common password', { email: uniqueEmail(), password: 'password1' }, '/password'],
    ['not an email', { email: 'nobody', password: GOOD_PASSWORD }, '/email'],
    ['NUL byte', { email: uniqueEmail(), password: `abc\u0000defghijk` }, '/password'],
  ];
  for (const [name, body, path] of cases) {
    const res = await post('/api/v1/register', body);
    t.equal(res.statusCode, 400, name);
    t.equal(res.json().code, 'validation_failed', name);
    t.ok(
      res.json().errors.some((e: { path: string }) => e.path === path),
      `${name}: error at ${path} (${res.body})`,
    );
  }
  const email = uniqueEmail();
  const same = await post('/api/v1/register', { email, password: email });
  t.equal(same.statusCode, 400, 'password equal to the email');
  const lone = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    headers: { 'content-type': 'application/json' },
    payload: `{"email":"${uniqueEmail()}","password":"abc\\ud800defghijk"}`,
  });
  t.equal(lone.statusCode, 400, 'lone surrogate');
});

t.test('NFKC: two spellings of one password match', async (t) => {
  const email = uniqueEmail();
  const composed = 'caf\u00e9 au lait tonight';
  const decomposed = 'cafe\u0301 au lait tonight';
  t.equal((await post('/api/v1/register', { email, password: composed })).statusCode, 201);
  t.equal((await post('/api/v1/login', { email, password: decomposed })).statusCode, 200);
  const spaced = await post('/api/v1/login', { email, password: ` ${composed}` });
  t.equal(spaced.statusCode, 401, 'no trimming');
});

t.test('20 parallel registrations of one email: one 201, nineteen 409', async (t) => {
  const email = uniqueEmail('race');
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      post('/api/v1/register', {
        email: i % 2 ? email.toUpperCase() : email,
        password: GOOD_PASSWORD,
      }),
    ),
  );
  const codes = results.map((r) => r.statusCode).sort();
  t.equal(codes.filter((c) => c === 201).length, 1);
  t.equal(codes.filter((c) => c === 409).length, 19);
});

t.test('login', async (t) => {
  const email = uniqueEmail();
  await post('/api/v1/register', { email, password: GOOD_PASSWORD });
  const res = await post('/api/v1/login', { email: email.toUpperCase(), password: GOOD_PASSWORD });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.tokenType, 'Bearer');
  t.equal(body.expiresIn, 900);
  t.equal(body.user.email, email);
  t.ok(body.user.lastLoginAt);
  t.equal(res.headers['cache-control'], 'no-store');
  const cookie = String(res.headers['set-cookie']);
  t.match(cookie, /^refresh_token=[A-Za-z0-9_-]{43,};/);
  t.match(cookie, /HttpOnly/);
  t.match(cookie, /Secure/);
  t.match(cookie, /SameSite=Strict/);
  t.match(cookie, /Path=\/api\/v1(;|$)/);
  t.match(cookie, /Max-Age=259(19|20)\d\d/);
  const [header, payload] = body.accessToken
    .split('.')
    .slice(0, 2)
    .map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()));
  t.equal(header.alg, 'EdDSA');
  t.type(header.kid, 'string');
  t.equal(payload.iss, 'latchkey');
  t.equal(payload.aud, 'latchkey');
  t.equal(payload.sub, body.user.id);
  t.type(payload.sid, 'string');
  t.type(payload.jti, 'string');
  t.equal(payload.exp - payload.iat, 900);
  t.same(payload.roles, ['user']);
  t.same(payload.perms, []);
});

t.test('login failures are indistinguishable', async (t) => {
  const email = uniqueEmail();
  await post('/api/v1/register', { email, password: GOOD_PASSWORD });
  const deleted = await signUp(app);
  await app.inject({
    method: 'DELETE',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${deleted.accessToken}` },
  });
  const attempts = [
    { email: uniqueEmail('nobody'), password: GOOD_PASSWORD },
    { email, password: 'wrong password here' },
    { email, password: '' },
    { email: deleted.email, password: GOOD_PASSWORD },
  ];
  const bodies = [];
  for (const attempt of attempts) {
    const res = await post('/api/v1/login', attempt);
    t.equal(res.statusCode, 401, JSON.stringify(attempt));
    bodies.push(res.body);
  }
  t.equal(new Set(bodies).size, 1, 'identical bodies');
  t.equal(JSON.parse(bodies[0] ?? '{}').code, 'invalid_credentials');

  const long = await post('/api/v1/login', { email, password: 'x'.repeat(129) });
  t.equal(long.statusCode, 400);
  const longEmail = await post('/api/v1/login', {
    email: `${'a'.repeat(250)}@x.io`,
    password: 'x',
  });
  t.equal(longEmail.statusCode, 400);
  const missing = await post('/api/v1/login', { email });
  t.equal(missing.statusCode, 400);
});

t.test('suspended account: 403 only after a correct password', async (t) => {
  const user = await signUp(app);
  const client = new pg.Client({ connectionString: ts.databaseUrl });
  await client.connect();
  await client.query(`update users set status = 'suspended' where id = $1`, [user.userId]);
  await client.end();
  const wrong = await post('/api/v1/login', { email: user.email, password: 'wrong password here' });
  t.equal(wrong.statusCode, 401);
  const right = await post('/api/v1/login', { email: user.email, password: GOOD_PASSWORD });
  t.equal(right.statusCode, 403);
  t.equal(right.json().code, 'account_suspended');
});

const refresh = (token: string | null) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    ...(token === null ? {} : { cookies: { refresh_token: token } }),
  });

t.test('refresh rotates, keeps the absolute lifetime', async (t) => {
  const user = await signUp(app);
  const res = await refresh(user.refreshToken);
  t.equal(res.statusCode, 200);
  t.equal(res.json().tokenType, 'Bearer');
  t.equal(res.json().expiresIn, 900);
  const next = refreshCookieOf(res.headers['set-cookie']);
  t.ok(next);
  t.not(next, user.refreshToken, 'rotated');
  const maxAge = Number(/Max-Age=(\d+)/.exec(String(res.headers['set-cookie']))?.[1]);
  t.ok(maxAge <= 2592000 && maxAge > 2591990, 'remaining lifetime, not extended');
  const me = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${res.json().accessToken}` },
  });
  t.equal(me.statusCode, 200);
});

t.test('refresh failures clear the cookie', async (t) => {
  for (const token of [null, 'unknown-token']) {
    const res = await refresh(token);
    t.equal(res.statusCode, 401);
    t.equal(res.json().code, 'invalid_refresh_token');
    t.match(
      String(res.headers['set-cookie']),
      /refresh_token=;.*Max-Age=0|refresh_token=;.*Expires=Thu, 01 Jan 1970/,
    );
  }
});

t.test('two parallel refreshes with one token both succeed (grace window)', async (t) => {
  const user = await signUp(app);
  const [a, b] = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
  t.equal(a?.statusCode, 200);
  t.equal(b?.statusCode, 200);
  t.not(refreshCookieOf(a?.headers['set-cookie']), refreshCookieOf(b?.headers['set-cookie']));
});

t.test('reuse after the grace window revokes the family', async (t) => {
  const user = await signUp(app);
  const first = await refresh(user.refreshToken);
  const newest = refreshCookieOf(first.headers['set-cookie']);
  await new Promise((r) => setTimeout(r, 2200)); // REFRESH_REUSE_GRACE=2 in this server
  const reuse = await refresh(user.refreshToken);
  t.equal(reuse.statusCode, 401);
  t.equal(reuse.json().code, 'invalid_refresh_token');
  const after = await refresh(newest);
  t.equal(after.statusCode, 401, 'the newest token of the family stops working too');
  const access = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${first.json().accessToken}` },
  });
  await new Promise((r) => setTimeout(r, 1000));
  const later = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${first.json().accessToken}` },
  });
  t.equal(later.statusCode, 401, `access token dies within 1 s (was ${access.statusCode})`);
});

t.test('logout', async (t) => {
  const user = await signUp(app);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/logout',
    cookies: { refresh_token: user.refreshToken },
    headers: { 'content-type': 'text/plain' },
  });
  t.equal(res.statusCode, 204);
  t.match(String(res.headers['set-cookie']), /refresh_token=;/);
  t.equal((await refresh(user.refreshToken)).statusCode, 401, 'session revoked');
  await new Promise((r) => setTimeout(r, 1000));
  const me = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${user.accessToken}` },
  });
  t.equal(me.statusCode, 401, 'access token dies within 1 s');
  const again = await app.inject({
    method: 'POST',
    url: '/api/v1/logout',
    headers: { authorization: 'Bearer not.a.token', 'content-type': 'application/json' },
  });
  t.equal(again.statusCode, 204, 'idempotent, bad bearer still 204');
  const bare = await post('/api/v1/logout');
  t.equal(bare.statusCode, 204);
});
