// Error tracking end to end: SENTRY_DSN points at a local HTTP server standing in for Sentry;
// a 500 on an authenticated route must arrive there with the request id, the route template
// and the user id, and without the email or any token.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import t from 'tap';
import { initErrorTracking, scrubText } from '@latchkey/server';
import { signUp, startTestServer, uniqueEmail } from './support/test-server.js';

interface Envelope {
  readonly path: string;
  readonly items: { header: Record<string, unknown>; payload: Record<string, unknown> }[];
  readonly raw: string;
}

const read = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
};

/** Envelope format: a header line, then (item header line, payload line) pairs. */
const parseEnvelope = (path: string, raw: string): Envelope => {
  const lines = raw.split('\n').filter((line) => line.length > 0);
  const items: Envelope['items'] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    items.push({
      header: JSON.parse(lines[i] ?? '{}') as Record<string, unknown>,
      payload: JSON.parse(lines[i + 1] ?? '{}') as Record<string, unknown>,
    });
  }
  return { path, items, raw };
};

t.test('scrubbing', async (t) => {
  t.equal(
    scrubText('no user ann@example.com with eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxIn0.c2ln here'),
    'no user [email] with [token] here',
  );
  t.equal(scrubText(`token ${'a'.repeat(43)} gone`), 'token [token] gone');
  t.equal(
    scrubText('user 0190a0a0-0000-7000-8000-000000000000 kept'),
    'user 0190a0a0-0000-7000-8000-000000000000 kept',
  );
});

t.test('a 5xx reaches Sentry with request id, route and user id, and nothing secret', async (t) => {
  const envelopes: Envelope[] = [];
  const sentry = createServer((req, res) => {
    void read(req).then((body) => {
      envelopes.push(parseEnvelope(req.url ?? '', body.toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => sentry.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => sentry.close(() => resolve())));
  const { port } = sentry.address() as AddressInfo;
  const dsn = `http://publickey@127.0.0.1:${String(port)}/42`;

  const tracking = initErrorTracking({ dsn, environment: 'test' });
  t.teardown(() => tracking.close(2000));
  const ts = await startTestServer({ SENTRY_DSN: dsn }, { errorTracking: tracking });
  t.teardown(() => ts.close());
  const email = uniqueEmail('sentry');
  const user = await signUp(ts.app, email);

  // Make any change of a user fail in the database, with the email in the error message: a
  // profile update is now a 500 that happens after authentication.
  const admin = new pg.Client({ connectionString: ts.databaseUrl });
  await admin.connect();
  await admin.query(`
    create function refuse_update() returns trigger language plpgsql as $$
    begin raise exception 'update of % refused', new.email; end $$;
    create trigger refuse_update before update on users for each row execute function refuse_update()`);
  await admin.end();

  const res = await ts.app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    payload: { displayName: 'Someone' },
    headers: { authorization: `Bearer ${user.accessToken}`, 'x-request-id': 'sentry-req-1' },
  });
  t.equal(res.statusCode, 500);
  t.equal(res.json().code, 'internal');
  t.notOk(res.body.includes('refused'), 'no internals in the body');
  t.ok(await tracking.flush(5000), 'flushed');

  const events = envelopes.flatMap((e) => e.items.filter((i) => i.header.type === 'event'));
  t.equal(events.length, 1, 'one event');
  t.match(envelopes[0]?.path, /^\/api\/42\/envelope\//, 'sent to the DSN project');
  const event = events[0]?.payload ?? {};
  t.match(event.tags, {
    request_id: 'sentry-req-1',
    route: 'PUT /api/v1/users/me',
    status_code: '500',
  });
  t.same(event.user, { id: user.userId }, 'the user id only');
  t.equal(event.level, 'error');
  t.same(
    event.fingerprint,
    ['PUT /api/v1/users/me', 'DatabaseError'],
    'grouped by route and error type',
  );
  t.equal(event.environment, 'test');
  const exception = (event.exception as { values: { type: string; value: string }[] }).values[0];
  t.equal(exception?.value, 'update of [email] refused', 'the error, its email scrubbed');

  const raw = envelopes.map((e) => e.raw).join('\n');
  t.notOk(raw.includes(email), 'no email');
  t.notOk(raw.includes(user.accessToken), 'no access token');
  t.notOk(raw.includes(user.refreshToken), 'no refresh token');
  t.notOk(/authorization|cookie/i.test(raw), 'no credential headers');
});
