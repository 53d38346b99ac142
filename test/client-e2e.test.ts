// The typed client (packages/client) against the real composition over a real socket.
import pg from 'pg';
import t from 'tap';
import { LatchkeyError, createLatchkeyClient, refreshCookieFrom } from '@latchkey/client';
import { GOOD_PASSWORD, startTestServer, uniqueEmail } from './support/test-server.js';

const ts = await startTestServer();
t.teardown(() => ts.close());
const baseUrl = await ts.app.listen({ host: '127.0.0.1', port: 0 });

t.test('register → login → me → refresh → me → logout', async (t) => {
  const client = createLatchkeyClient({ baseUrl });
  const email = uniqueEmail('client');

  const registered = await client.register({ email, password: GOOD_PASSWORD, displayName: 'Cli' });
  t.equal(registered.email, email);
  t.equal(registered.status, 'unverified');
  t.equal(client.accessToken, null, 'registering signs nobody in');

  const user = await client.login(email, GOOD_PASSWORD);
  t.equal(user.id, registered.id);
  t.ok(client.accessToken, 'the access token is kept');
  t.ok(client.hasRefreshToken, 'the refresh cookie is kept in memory');

  const me = await client.me();
  t.equal(me.id, registered.id);
  t.equal(me.displayName, 'Cli');

  const first = client.accessToken;
  const renewed = await client.refresh();
  t.equal(client.accessToken, renewed);
  t.not(renewed, first, 'a new access token');
  t.equal((await client.me()).id, registered.id, 'the new token works');

  // The raw typed client: any route, the bearer attached.
  const sessions = await client.api.GET('/api/v1/users/me/sessions');
  t.equal(sessions.response.status, 200);
  t.equal(sessions.data?.items.filter((s) => s.current).length, 1);

  await client.logout();
  t.equal(client.accessToken, null);
  t.notOk(client.hasRefreshToken);
  const after = await client.refresh().catch((error: unknown) => error);
  t.ok(after instanceof LatchkeyError);
  t.equal((after as LatchkeyError).status, 401);
  t.equal((after as LatchkeyError).code, 'invalid_refresh_token');
});

t.test('an access token refused as stale is refreshed once and the request retried', async (t) => {
  const client = createLatchkeyClient({ baseUrl });
  const email = uniqueEmail('client-retry');
  await client.register({ email, password: GOOD_PASSWORD });
  const user = await client.login(email, GOOD_PASSWORD);
  const before = client.accessToken;

  // What a role change does: tokens issued until now stop working, the session goes on.
  const db = new pg.Client({ connectionString: ts.databaseUrl });
  await db.connect();
  t.teardown(() => db.end());
  await new Promise((resolve) => setTimeout(resolve, 20));
  await db.query('update sessions set tokens_valid_from = now() where user_id = $1', [user.id]);
  await new Promise((resolve) => setTimeout(resolve, 700)); // past the session cache (500 ms)

  const stale = await fetch(`${baseUrl}/api/v1/users/me`, {
    headers: { authorization: `Bearer ${before ?? ''}` },
  });
  t.equal(stale.status, 401, 'the old token is refused');
  t.equal((await client.me()).id, user.id, 'the client refreshed and retried');
  t.not(client.accessToken, before, 'with a new access token');

  // An explicit Authorization header is the caller's: never replaced, never retried.
  const explicit = await client.api.GET('/api/v1/users/me', {
    headers: { authorization: `Bearer ${before ?? ''}` },
  });
  t.equal(explicit.response.status, 401);

  // A revoked session: the refresh fails too, and the 401 stands.
  await db.query('update sessions set revoked_at = now() where user_id = $1', [user.id]);
  await new Promise((resolve) => setTimeout(resolve, 700));
  const revoked = await client.me().catch((error: unknown) => error);
  t.equal((revoked as LatchkeyError).status, 401);
  t.equal((revoked as LatchkeyError).code, 'invalid_token');
});

t.test('Set-Cookie parsing', async (t) => {
  t.equal(refreshCookieFrom(['refresh_token=abc; Max-Age=100; Path=/api/v1; HttpOnly']), 'abc');
  t.equal(refreshCookieFrom(['refresh_token=; Max-Age=0; Path=/api/v1']), '');
  t.equal(
    refreshCookieFrom(['refresh_token=old; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/api/v1']),
    '',
  );
  t.equal(refreshCookieFrom(['other=1']), undefined);
});

t.test('browser mode leaves the cookie to the browser', async (t) => {
  const client = createLatchkeyClient({ baseUrl, cookies: 'browser' });
  const email = uniqueEmail('client-browser');
  await client.register({ email, password: GOOD_PASSWORD });
  await client.login(email, GOOD_PASSWORD);
  t.ok(client.accessToken);
  t.notOk(client.hasRefreshToken, 'never read by the client');
  // Node's fetch keeps no cookies, so nothing is sent: the server says so.
  const refresh = await client.refresh().catch((error: unknown) => error);
  t.equal((refresh as LatchkeyError).code, 'invalid_refresh_token');
});
