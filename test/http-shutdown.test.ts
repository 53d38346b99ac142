import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPool } from '@latchkey/adapters-postgres';
import t from 'tap';
import { GOOD_PASSWORD, signUp, startTestServer, uniqueEmail } from './support/test-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test(
  'stopping while logins are hashing, their clients gone: every login is written first',
  async (t) => {
    // A slow hash (~100 ms or more), so the logins are still at work when the server stops.
    const ts = await startTestServer({ ARGON2_MEMORY_KIB: '65536', ARGON2_TIME_COST: '3' });
    const db = createPool({ connectionString: ts.databaseUrl, max: 1 });
    t.teardown(async () => {
      await db.end();
      await ts.close();
    });
    const email = uniqueEmail('shutdown');
    const { userId } = await signUp(ts.app, email);
    await ts.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = ts.app.server.address() as AddressInfo;

    const logins = 4;
    for (let i = 0; i < logins; i += 1) {
      const request = http.request({
        host: '127.0.0.1',
        port,
        path: '/api/v1/login',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      request.on('error', () => undefined);
      request.end(JSON.stringify({ email, password: GOOD_PASSWORD }));
      // The client gives up while the password is being checked.
      setTimeout(() => request.destroy(), 30);
    }
    await sleep(60);
    await ts.stop();

    const { rows } = await db.query<{ sessions: number; events: number }>(
      `select (select count(*)::int from sessions where user_id = $1) as sessions,
              (select count(*)::int from audit_events
                where target_id = $1 and type = 'user.login_succeeded') as events`,
      [userId],
    );
    // signUp's own login, and each of the abandoned ones: none met a closed database.
    t.same(rows[0], { sessions: 1 + logins, events: 1 + logins });
  },
);
