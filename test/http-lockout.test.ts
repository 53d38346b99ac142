import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createPool } from '@latchkey/adapters-postgres';
import t from 'tap';
import { requireRedis } from './helpers/services.js';
import { createSmtpSink, tokenOfLink, type ReceivedMail } from './support/smtp-sink.js';
import { GOOD_PASSWORD, signUp, startTestServer, uniqueEmail } from './support/test-server.js';

// Real per-account settings; the per-IP limits are out of the way (every attempt has its own IP anyway).
const LOCKOUT = { LOCKOUT_THRESHOLD: '3', LOCKOUT_WINDOW: '900' };

const newIp = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const login = (app: FastifyInstance, email: string, password: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/login',
    remoteAddress: newIp(),
    payload: { email, password },
  });

const sink = await createSmtpSink();
const ts = await startTestServer({ ...LOCKOUT, WORKER_ENABLED: 'true', SMTP_URL: sink.url });
const db = createPool({ connectionString: ts.databaseUrl, max: 2 });
t.teardown(async () => {
  await db.end();
  await ts.close();
  await sink.stop();
});
const { app } = ts;

t.test('failed logins from many IPs lock the account for every IP', async (t) => {
  const user = await signUp(app, uniqueEmail('lock'));
  for (let i = 0; i < 3; i++) {
    t.equal(
      (await login(app, user.email, `wrong password ${i}`)).statusCode,
      401,
      `failure ${i + 1} (a new IP each time)`,
    );
  }
  const locked = await login(app, user.email, GOOD_PASSWORD);
  t.equal(locked.statusCode, 429, 'even the right password waits');
  t.equal(locked.json().code, 'rate_limited');
  t.match(locked.headers['content-type'], /^application\/problem\+json/);
  const retryAfter = Number(locked.headers['retry-after']);
  t.ok(retryAfter > 0 && retryAfter <= 30, `Retry-After ${retryAfter}`);

  const differentSpelling = await login(app, `  ${user.email.toUpperCase()} `, GOOD_PASSWORD);
  t.equal(differentSpelling.statusCode, 429, 'keyed on the normalised email');

  const { rows } = await db.query<{ type: string; n: number }>(
    `select type, count(*)::int as n from audit_events where target_id = $1 and type like 'user.login_%' group by type order by type`,
    [user.userId],
  );
  t.same(
    rows.map((r) => [r.type, r.n]),
    [
      ['user.login_failed', 2],
      ['user.login_locked', 1],
      ['user.login_succeeded', 1],
    ],
    'the failure that locked is audited as user.login_locked',
  );
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  t.match(metrics.body, /latchkey_lockouts_total [1-9]/);
});

t.test('an unknown email is throttled the same way: nothing is revealed', async (t) => {
  const known = await signUp(app, uniqueEmail('known'));
  const unknown = uniqueEmail('nobody');
  const answers = [];
  for (const email of [known.email, unknown]) {
    for (let i = 0; i < 3; i++) await login(app, email, 'wrong password');
    const res = await login(app, email, 'wrong password');
    answers.push([res.statusCode, res.headers['retry-after'], res.body]);
  }
  t.same(answers[0], answers[1], 'identical 429 for a known and an unknown email');
});

t.test('a locked account can still reset its password', async (t) => {
  const user = await signUp(app, uniqueEmail('reset'));
  for (let i = 0; i < 3; i++) await login(app, user.email, 'wrong password');
  t.equal((await login(app, user.email, GOOD_PASSWORD)).statusCode, 429, 'locked');

  const forgot = await app.inject({
    method: 'POST',
    url: '/api/v1/password/forgot',
    payload: { email: user.email },
  });
  t.equal(forgot.statusCode, 202, 'forgot is not blocked');
  const mail: ReceivedMail = await sink.waitFor(
    (m) => m.to.toLowerCase() === user.email.toLowerCase() && m.kind === 'password_reset',
  );
  const reset = await app.inject({
    method: 'POST',
    url: '/api/v1/password/reset',
    payload: { token: tokenOfLink(mail.link), password: 'a brand new passphrase' },
  });
  t.equal(reset.statusCode, 204, 'reset is not blocked');
});

t.test('the lock is shared by instances through Redis', async (t) => {
  const url = await requireRedis(t);
  if (url === undefined) return;
  const a = await startTestServer({ ...LOCKOUT, REDIS_URL: url });
  const b = await startTestServer({ ...LOCKOUT, REDIS_URL: url });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const email = uniqueEmail('shared');
  t.equal((await login(a.app, email, 'wrong')).statusCode, 401);
  t.equal((await login(b.app, email, 'wrong')).statusCode, 401);
  t.equal(
    (await login(a.app, email, 'wrong')).statusCode,
    401,
    'third failure, counted across instances',
  );
  const onB = await login(b.app, email, 'wrong');
  t.equal(onB.statusCode, 429, 'the other instance sees the lock');
  t.match(onB.headers['retry-after'], /^(29|30)$/);
});
