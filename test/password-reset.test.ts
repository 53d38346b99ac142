import t from 'tap';
import { createPool } from '@latchkey/adapters-postgres';
import { createSmtpSink, tokenOfLink, type ReceivedMail } from './support/smtp-sink.js';
import {
  GOOD_PASSWORD,
  refreshCookieOf,
  signUp,
  startTestServer,
  uniqueEmail,
} from './support/test-server.js';

const PUBLIC_URL = 'https://accounts.latchkey.test';
const sink = await createSmtpSink();
const ts = await startTestServer({
  WORKER_ENABLED: 'true',
  SMTP_URL: sink.url,
  PUBLIC_URL,
  // The per-IP limits are not under test here.
  RATE_LIMIT_AUTH_MAX: '10000',
  RATE_LIMIT_MAX: '10000',
});
const { app } = ts;
const db = createPool({ connectionString: ts.databaseUrl, max: 2 });
t.teardown(async () => {
  await db.end();
  await ts.close();
  await sink.stop();
});

const NEW_PASSWORD = 'a brand new passphrase';
const to = (email: string, kind?: string) => (mail: ReceivedMail) =>
  mail.to.toLowerCase() === email.toLowerCase() && (kind === undefined || mail.kind === kind);
const mailsTo = (email: string, kind?: string) => sink.mails.filter(to(email, kind));
const forgot = (email: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/password/forgot', payload: { email }, headers });
const reset = (token: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/v1/password/reset', payload: { token, password } });
const drained = async (): Promise<void> => {
  for (let i = 0; i < 200; i += 1) {
    const { rows } = await db.query<{ n: number }>(
      'select count(*)::int as n from graphile_worker.jobs',
    );
    if (rows[0]?.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('jobs still queued');
};
/** Signs up, verifies (so the verification mail is out of the way) and asks for a reset. */
const userWithResetMail = async (email = uniqueEmail('reset')) => {
  const user = await signUp(app, email);
  await sink.waitFor(to(email, 'verify_account'));
  const res = await forgot(email);
  if (res.statusCode !== 202) throw new Error(`forgot: ${res.statusCode}`);
  const mail = await sink.waitFor(to(email, 'password_reset'));
  return { ...user, mail, token: tokenOfLink(mail.link) };
};

t.test('forgot: byte-identical answers for a known and an unknown email', async (t) => {
  const known = await signUp(app, uniqueEmail('known'));
  const a = await forgot(known.email);
  const b = await forgot(uniqueEmail('unknown'));
  t.equal(a.statusCode, 202);
  t.equal(b.statusCode, 202);
  t.equal(a.body, b.body, 'same bytes');
  t.same(a.json(), { status: 'accepted' });
  for (const header of ['content-type', 'content-length', 'cache-control']) {
    t.equal(a.headers[header], b.headers[header], header);
  }
  await drained();
  t.equal(mailsTo(known.email, 'password_reset').length, 1, 'only the known account gets a mail');
});

t.test('forgot: similar time whether or not the account exists', async (t) => {
  const known = await signUp(app, uniqueEmail('timing'));
  const time = async (email: string) => {
    const start = performance.now();
    await forgot(email);
    return performance.now() - start;
  };
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const knownTimes: number[] = [];
  const unknownTimes: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    knownTimes.push(await time(known.email));
    unknownTimes.push(await time(uniqueEmail('nobody')));
  }
  const [k, u] = [median(knownTimes), median(unknownTimes)];
  t.comment(`median known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`);
  t.ok(Math.abs(k - u) < Math.max(5, 0.5 * Math.max(k, u)), 'the same work either way');
  await drained();
});

t.test('forgot: 400 for a malformed body; mail to the stored address only', async (t) => {
  for (const payload of [
    {},
    { email: 42 },
    { email: 'x@y.z', extra: 1 },
    { email: 'not an email' },
  ]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/password/forgot', payload });
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.equal(res.json().code, 'validation_failed');
  }
  const email = uniqueEmail('Stored');
  await signUp(app, email);
  await sink.waitFor(to(email, 'verify_account'));
  const res = await forgot(`  ${email.toUpperCase()} `, { 'x-forwarded-host': 'evil.example' });
  t.equal(res.statusCode, 202);
  const mail = await sink.waitFor(to(email, 'password_reset'));
  t.equal(mail.to.split('@')[0], email.split('@')[0], 'the stored spelling, not the typed one');
  t.match(
    mail.link,
    new RegExp(`^${PUBLIC_URL}/account/reset-password\\?token=[A-Za-z0-9_-]{43}$`),
  );
  t.match(mail.html, `href="${mail.link}"`);
});

t.test('reset: ten parallel redemptions, exactly one 204', async (t) => {
  const user = await userWithResetMail();
  const results = await Promise.all(
    Array.from({ length: 10 }, () => reset(user.token, NEW_PASSWORD)),
  );
  const codes = results.map((r) => r.statusCode).sort();
  t.same(codes, [204, ...Array.from({ length: 9 }, () => 400)]);
  for (const r of results.filter((r) => r.statusCode === 400))
    t.equal(r.json().code, 'invalid_token');
  const ok = results.find((r) => r.statusCode === 204);
  t.equal(ok?.body, '', 'no tokens in the response');
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from audit_events where type = 'user.password_reset' and target_id = $1`,
    [user.userId],
  );
  t.equal(rows[0]?.n, 1);
});

t.test('reset: every session revoked, new password works, a notice goes out', async (t) => {
  const user = await userWithResetMail();
  const res = await reset(user.token, NEW_PASSWORD);
  t.equal(res.statusCode, 204);

  const refresh = await app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    cookies: { refresh_token: user.refreshToken },
  });
  t.equal(refresh.statusCode, 401, 'the refresh token is dead');
  t.equal(refresh.json().code, 'invalid_refresh_token');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const me = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${user.accessToken}` },
  });
  t.equal(me.statusCode, 401, 'the access token stops working within 1 s');

  const oldLogin = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: user.email, password: GOOD_PASSWORD },
  });
  t.equal(oldLogin.statusCode, 401);
  const newLogin = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: user.email, password: NEW_PASSWORD },
  });
  t.equal(newLogin.statusCode, 200);
  t.ok(refreshCookieOf(newLogin.headers['set-cookie']));

  const notice = await sink.waitFor(to(user.email, 'password_changed'));
  t.match(notice.subject, /reset/);
  t.equal(notice.link, null);

  const again = await reset(user.token, 'yet another passphrase');
  t.equal(again.statusCode, 400, 'used');
  t.equal(again.json().code, 'invalid_token');
});

t.test('reset: a newer reset mail kills the older link; other tokens die on reset', async (t) => {
  const user = await userWithResetMail();
  t.equal((await forgot(user.email)).statusCode, 202);
  await sink.waitFor((m) => to(user.email, 'password_reset')(m) && m.link !== user.mail.link);
  const newer = tokenOfLink(mailsTo(user.email, 'password_reset').at(-1)?.link ?? null);
  const older = await reset(user.token, NEW_PASSWORD);
  t.equal(older.statusCode, 400, 'superseded');
  t.equal(older.json().code, 'invalid_token');
  t.equal((await reset(newer, NEW_PASSWORD)).statusCode, 204);
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from one_time_tokens
      where user_id = $1 and purpose = 'password_reset' and used_at is null and superseded_at is null`,
    [user.userId],
  );
  t.equal(rows[0]?.n, 0, 'no live reset token is left');
});

t.test('reset: policy, unknown and expired tokens', async (t) => {
  const user = await userWithResetMail();
  const weak = await reset(user.token, 'password1');
  t.equal(weak.statusCode, 400);
  t.equal(weak.json().code, 'validation_failed');
  const same = await reset(user.token, user.email);
  t.equal(same.json().code, 'validation_failed', 'not the email');
  const unknown = await reset('A'.repeat(43), NEW_PASSWORD);
  t.equal(unknown.statusCode, 400);
  t.equal(unknown.json().code, 'invalid_token');
  const extra = await app.inject({
    method: 'POST',
    url: '/api/v1/password/reset',
    payload: { token: user.token, password: NEW_PASSWORD, email: user.email },
  });
  t.equal(extra.statusCode, 400, 'unknown properties are refused');
  t.equal(extra.json().code, 'validation_failed');

  await db.query(
    `update one_time_tokens set expires_at = now() - interval '1 second' where user_id = $1`,
    [user.userId],
  );
  const expired = await reset(user.token, NEW_PASSWORD);
  t.equal(expired.statusCode, 400, 'expired after the weak attempts left it unused');
  t.equal(expired.json().code, 'invalid_token');
});
