import t from 'tap';
import {
  GOOD_PASSWORD,
  refreshCookieOf,
  signUp,
  startTestServer,
  uniqueEmail,
} from './support/test-server.js';

const ts = await startTestServer();
const { app } = ts;
t.teardown(() => ts.close());

const as = (token: string) => ({ authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('GET /users/me', async (t) => {
  const user = await signUp(app);
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: as(user.accessToken),
  });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'no-store');
  const body = res.json().user;
  t.same(Object.keys(body).sort(), [
    'createdAt',
    'displayName',
    'email',
    'id',
    'lastLoginAt',
    'pendingEmail',
    'roles',
    'status',
    'updatedAt',
  ]);
  const none = await app.inject({ method: 'GET', url: '/api/v1/users/me' });
  t.equal(none.statusCode, 401);
  t.equal(none.json().code, 'unauthorized');
  t.equal(none.headers['www-authenticate'], 'Bearer realm="latchkey"');
  const basic = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: 'Basic abc' },
  });
  t.equal(basic.json().code, 'unauthorized');
  const bad = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: as('abc.def.ghi'),
  });
  t.equal(bad.statusCode, 401);
  t.equal(bad.json().code, 'invalid_token');
  t.equal(bad.headers['www-authenticate'], 'Bearer realm="latchkey", error="invalid_token"');
  const query = await app.inject({
    method: 'GET',
    url: `/api/v1/users/me?access_token=${user.accessToken}`,
  });
  t.equal(query.statusCode, 401, 'never from the query string');
});

t.test('PUT /users/me', async (t) => {
  const user = await signUp(app);
  const name = await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: as(user.accessToken),
    payload: { displayName: 'New Name' },
  });
  t.equal(name.statusCode, 200);
  t.equal(name.json().user.displayName, 'New Name');

  for (const field of ['roles', 'status', 'password']) {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/users/me',
      headers: as(user.accessToken),
      payload: { [field]: field === 'roles' ? ['admin'] : 'active' },
    });
    t.equal(res.statusCode, 400, `${field} is refused`);
    t.equal(res.json().code, 'validation_failed');
  }

  const target = uniqueEmail('new');
  const noPassword = await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: as(user.accessToken),
    payload: { email: target },
  });
  t.equal(noPassword.statusCode, 403);
  t.equal(noPassword.json().code, 'invalid_current_password');
  const wrong = await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: as(user.accessToken),
    payload: { email: target, currentPassword: 'not the password' },
  });
  t.equal(wrong.statusCode, 403);

  const other = await signUp(app);
  const taken = await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: as(user.accessToken),
    payload: { email: other.email.toUpperCase(), currentPassword: GOOD_PASSWORD },
  });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'email_taken');

  const ok = await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: as(user.accessToken),
    payload: { email: target, currentPassword: GOOD_PASSWORD },
  });
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().user.pendingEmail, target);
  t.equal(ok.json().user.email, user.email, 'email changes only once verified');
});

t.test('password change ends every other session', async (t) => {
  const user = await signUp(app);
  const second = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: user.email, password: GOOD_PASSWORD },
  });
  const secondToken = second.json().accessToken as string;
  const secondRefresh = refreshCookieOf(second.headers['set-cookie']);

  const wrong = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: as(user.accessToken),
    payload: { currentPassword: 'nope nope nope', newPassword: 'another good passphrase' },
  });
  t.equal(wrong.statusCode, 403);
  t.equal(wrong.json().code, 'invalid_current_password');
  const omitted = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: as(user.accessToken),
    payload: { newPassword: 'another good passphrase' },
  });
  t.equal(omitted.statusCode, 403);
  const weak = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: as(user.accessToken),
    payload: { currentPassword: GOOD_PASSWORD, newPassword: 'short' },
  });
  t.equal(weak.statusCode, 400);

  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: as(user.accessToken),
    payload: { currentPassword: GOOD_PASSWORD, newPassword: 'another good passphrase' },
  });
  t.equal(res.statusCode, 204);
  await sleep(1000);
  const mine = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: as(user.accessToken),
  });
  t.equal(mine.statusCode, 200, 'the current session stays');
  const theirs = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: as(secondToken),
  });
  t.equal(theirs.statusCode, 401, 'the other session ends within 1 s');
  const refreshOther = await app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    cookies: { refresh_token: secondRefresh ?? '' },
  });
  t.equal(refreshOther.statusCode, 401);
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: user.email, password: 'another good passphrase' },
  });
  t.equal(login.statusCode, 200);
});

t.test('sessions', async (t) => {
  const user = await signUp(app);
  const second = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: user.email, password: GOOD_PASSWORD },
    headers: { 'user-agent': 'second-device' },
  });
  const list = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me/sessions',
    headers: as(user.accessToken),
  });
  t.equal(list.statusCode, 200);
  const items = list.json().items as { id: string; current: boolean; userAgent: string | null }[];
  t.equal(items.length, 2);
  t.equal(items.filter((s) => s.current).length, 1);
  const other = items.find((s) => !s.current);
  t.equal(other?.userAgent, 'second-device');

  const stranger = await signUp(app);
  const foreign = await app.inject({
    method: 'DELETE',
    url: `/api/v1/users/me/sessions/${other?.id}`,
    headers: as(stranger.accessToken),
  });
  t.equal(foreign.statusCode, 404, "another user's session is not found");
  const notUuid = await app.inject({
    method: 'DELETE',
    url: '/api/v1/users/me/sessions/not-a-uuid',
    headers: as(user.accessToken),
  });
  t.equal(notUuid.statusCode, 404);
  const unknown = await app.inject({
    method: 'DELETE',
    url: '/api/v1/users/me/sessions/01890000-0000-7000-8000-000000000000',
    headers: as(user.accessToken),
  });
  t.equal(unknown.statusCode, 404);

  const revoke = await app.inject({
    method: 'DELETE',
    url: `/api/v1/users/me/sessions/${other?.id}`,
    headers: as(user.accessToken),
  });
  t.equal(revoke.statusCode, 204);
  await sleep(1000);
  const dead = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: as(second.json().accessToken),
  });
  t.equal(dead.statusCode, 401, 'revoked session token fails within 1 s');
});

t.test('DELETE /users/me', async (t) => {
  const user = await signUp(app);
  const res = await app.inject({
    method: 'DELETE',
    url: '/api/v1/users/me',
    headers: as(user.accessToken),
  });
  t.equal(res.statusCode, 200);
  t.equal(res.json().status, 'deleted');
  t.ok(Date.parse(res.json().deletedAt));
  t.match(String(res.headers['set-cookie']), /refresh_token=;/);
  const start = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - start < 1500) {
    status = (
      await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: as(user.accessToken) })
    ).statusCode;
    if (status === 200) await sleep(50);
  }
  t.equal(status, 401);
  t.ok(
    Date.now() - start <= 1000,
    `token of a deleted user fails within 1 s (${Date.now() - start} ms)`,
  );
  const refresh = await app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    cookies: { refresh_token: user.refreshToken },
  });
  t.equal(refresh.statusCode, 401);
  const again = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    payload: { email: user.email, password: GOOD_PASSWORD },
  });
  t.equal(again.statusCode, 409, 'email of a soft-deleted account stays taken');
});
