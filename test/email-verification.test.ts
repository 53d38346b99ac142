import t from 'tap';
import { createPool } from '@latchkey/adapters-postgres';
import { createSmtpSink, type ReceivedMail } from './support/smtp-sink.js';
import { GOOD_PASSWORD, signUp, startTestServer, uniqueEmail } from './support/test-server.js';

// The whole flow over the real composition: PostgreSQL, the in-process graphile-worker, SMTP.
const PUBLIC_URL = 'https://accounts.latchkey.test';
const sink = await createSmtpSink();
const ts = await startTestServer({
  WORKER_ENABLED: 'true',
  SMTP_URL: sink.url,
  PUBLIC_URL,
  MAIL_FROM: 'Latchkey <no-reply@latchkey.test>',
});
const { app } = ts;
const db = createPool({ connectionString: ts.databaseUrl, max: 2 });
t.teardown(async () => {
  await db.end();
  await ts.close();
  await sink.stop();
});

const to = (email: string, kind?: string) => (mail: ReceivedMail) =>
  mail.to.toLowerCase() === email.toLowerCase() && (kind === undefined || mail.kind === kind);
const mailsTo = (email: string, kind?: string) => sink.mails.filter(to(email, kind));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const pathOf = (link: string | null): string => {
  if (link === null) throw new Error('no link');
  const url = new URL(link);
  return url.pathname + url.search;
};
/** Waits until the worker has run every job (mails are then either delivered or not made). */
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

t.test('registration mails a verification link built from PUBLIC_URL', async (t) => {
  const email = uniqueEmail('verify');
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
    payload: {
      email: `  ${email.toUpperCase()}  `,
      password: GOOD_PASSWORD,
      displayName: 'Ann <b>',
    },
  });
  t.equal(res.statusCode, 201);
  const mail = await sink.waitFor(to(email, 'verify_account'));
  // Mail software lower-cases the domain; the local part keeps the stored spelling.
  t.equal(mail.to.split('@')[0], email.toUpperCase().split('@')[0], 'to the stored spelling');
  t.match(mail.from, /Latchkey.*<no-reply@latchkey\.test>/);
  t.match(mail.subject, /verify/i);
  t.match(mail.link, new RegExp(`^${PUBLIC_URL}/api/v1/verify/[A-Za-z0-9_-]{43}$`));
  t.notMatch(mail.text + mail.html, /evil\.example/, 'never the request host');
  t.match(mail.text, /Hello Ann <b>,/);
  t.match(mail.html, /Hello Ann &lt;b&gt;,/, 'HTML escapes user data');
  t.match(mail.html, `href="${mail.link}"`);

  const verified = await app.inject({ method: 'GET', url: pathOf(mail.link) });
  t.equal(verified.statusCode, 200);
  t.equal(verified.headers['cache-control'], 'no-store');
  const body = verified.json();
  t.equal(body.status, 'verified');
  t.equal(body.user.status, 'active');
  t.equal(body.user.email, email.toUpperCase());
  t.same(Object.keys(body).sort(), ['status', 'user']);

  const again = await app.inject({ method: 'GET', url: pathOf(mail.link) });
  t.equal(again.statusCode, 200, 'a used, unexpired token answers 200 again');
  t.equal(again.json().user.status, 'active');
});

t.test('unknown, expired and superseded tokens are 400 invalid_token', async (t) => {
  const unknown = await app.inject({ method: 'GET', url: `/api/v1/verify/${'A'.repeat(43)}` });
  t.equal(unknown.statusCode, 400);
  t.equal(unknown.json().code, 'invalid_token');
  t.match(unknown.headers['content-type'], /application\/problem\+json/);

  const user = await signUp(app, uniqueEmail('supersede'));
  const first = await sink.waitFor(to(user.email, 'verify_account'));
  const resend = await app.inject({
    method: 'POST',
    url: '/api/v1/verify/resend',
    headers: bearer(user.accessToken),
  });
  t.equal(resend.statusCode, 202);
  t.same(resend.json(), { status: 'accepted' });
  await sink.waitFor((m) => to(user.email, 'verify_account')(m) && m.link !== first.link);
  const [older, newer] = mailsTo(user.email, 'verify_account');
  t.not(older?.link, newer?.link);

  const superseded = await app.inject({ method: 'GET', url: pathOf(older?.link ?? null) });
  t.equal(superseded.statusCode, 400, 'the older link was superseded');
  t.equal(superseded.json().code, 'invalid_token');

  await db.query(
    `update one_time_tokens set expires_at = now() - interval '1 second' where user_id = $1`,
    [user.userId],
  );
  const expired = await app.inject({ method: 'GET', url: pathOf(newer?.link ?? null) });
  t.equal(expired.statusCode, 400, 'expired');
  t.equal(expired.json().code, 'invalid_token');
  const me = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: bearer(user.accessToken),
  });
  t.equal(me.json().user.status, 'unverified', 'no state change');
});

t.test('resend: 401 without a bearer, 409 already_verified when nothing is pending', async (t) => {
  const anonymous = await app.inject({ method: 'POST', url: '/api/v1/verify/resend' });
  t.equal(anonymous.statusCode, 401);
  const user = await signUp(app, uniqueEmail('resend'));
  const mail = await sink.waitFor(to(user.email, 'verify_account'));
  t.equal((await app.inject({ method: 'GET', url: pathOf(mail.link) })).statusCode, 200);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/verify/resend',
    headers: { ...bearer(user.accessToken), 'content-type': 'application/json' },
  });
  t.equal(res.statusCode, 409);
  t.equal(res.json().code, 'already_verified');
});

t.test('concurrent redemptions of one verification link: one state change, all 200', async (t) => {
  const user = await signUp(app, uniqueEmail('race'));
  const mail = await sink.waitFor(to(user.email, 'verify_account'));
  const results = await Promise.all(
    Array.from({ length: 10 }, () => app.inject({ method: 'GET', url: pathOf(mail.link) })),
  );
  t.same(
    results.map((r) => r.statusCode),
    Array.from({ length: 10 }, () => 200),
  );
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from audit_events where type = 'user.email_verified' and target_id = $1`,
    [user.userId],
  );
  t.equal(rows[0]?.n, 1, 'exactly one changed state');
});

t.test('email change: verified at the new address, notice to the old one', async (t) => {
  const user = await signUp(app, uniqueEmail('old'));
  const newEmail = uniqueEmail('new');
  const put = await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: bearer(user.accessToken),
    payload: { email: newEmail, currentPassword: GOOD_PASSWORD },
  });
  t.equal(put.statusCode, 200);
  t.equal(put.json().user.pendingEmail, newEmail);
  t.equal(put.json().user.email, user.email);

  const mail = await sink.waitFor(to(newEmail, 'verify_email_change'));
  t.match(mail.link, new RegExp(`^${PUBLIC_URL}/api/v1/verify/`));
  t.equal(mailsTo(user.email, 'verify_email_change').length, 0, 'never to the old address');

  const res = await app.inject({ method: 'GET', url: pathOf(mail.link) });
  t.equal(res.statusCode, 200);
  t.equal(res.json().user.email, newEmail);
  t.equal(res.json().user.pendingEmail, null);
  t.equal(res.json().user.status, 'active', 'the new address is verified');

  const notice = await sink.waitFor(to(user.email, 'email_changed'));
  t.match(notice.text, /changed/);
  t.notMatch(notice.text, newEmail, 'the new address is masked');

  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: newEmail, password: GOOD_PASSWORD },
  });
  t.equal(login.statusCode, 200, 'signs in with the new address');
});

t.test('email change: 409 email_taken when the address was taken meanwhile', async (t) => {
  const user = await signUp(app, uniqueEmail('racer'));
  const wanted = uniqueEmail('wanted');
  await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: bearer(user.accessToken),
    payload: { email: wanted, currentPassword: GOOD_PASSWORD },
  });
  const mail = await sink.waitFor(to(wanted, 'verify_email_change'));
  const other = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    payload: { email: wanted.toUpperCase(), password: GOOD_PASSWORD },
  });
  t.equal(other.statusCode, 201, 'someone else registers the address first');

  const res = await app.inject({ method: 'GET', url: pathOf(mail.link) });
  t.equal(res.statusCode, 409);
  t.equal(res.json().code, 'email_taken');
  const me = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: bearer(user.accessToken),
  });
  t.equal(me.json().user.pendingEmail, null, 'the pending change is dropped');
  t.equal(me.json().user.email, user.email);
  const again = await app.inject({ method: 'GET', url: pathOf(mail.link) });
  t.equal(again.statusCode, 400, 'the link is dead');
  t.equal(again.json().code, 'invalid_token');
});

t.test('resend with a pending email change mails the pending address', async (t) => {
  const user = await signUp(app, uniqueEmail('pending'));
  const first = await sink.waitFor(to(user.email, 'verify_account'));
  await app.inject({ method: 'GET', url: pathOf(first.link) });
  const pending = uniqueEmail('pending-new');
  await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: bearer(user.accessToken),
    payload: { email: pending, currentPassword: GOOD_PASSWORD },
  });
  await sink.waitFor(to(pending, 'verify_email_change'));
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/verify/resend',
    headers: bearer(user.accessToken),
  });
  t.equal(res.statusCode, 202);
  await drained();
  t.equal(mailsTo(pending, 'verify_email_change').length, 2);
});

t.test('at most 5 verification and reset mails per account per hour', async (t) => {
  const user = await signUp(app, uniqueEmail('quota'));
  await sink.waitFor(to(user.email, 'verify_account'));
  for (let i = 0; i < 3; i += 1) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/verify/resend',
      headers: bearer(user.accessToken),
    });
    t.equal(res.statusCode, 202);
  }
  const forgot = await app.inject({
    method: 'POST',
    url: '/api/v1/password/forgot',
    payload: { email: user.email },
  });
  t.equal(forgot.statusCode, 202, 'a reset mail counts too');
  await drained();
  t.equal(mailsTo(user.email).length, 5, 'five mails so far');

  const sixth = await app.inject({
    method: 'POST',
    url: '/api/v1/verify/resend',
    headers: bearer(user.accessToken),
  });
  t.equal(sixth.statusCode, 202, 'still answers as usual');
  const seventh = await app.inject({
    method: 'POST',
    url: '/api/v1/password/forgot',
    payload: { email: user.email },
  });
  t.equal(seventh.statusCode, 202);
  await drained();
  t.equal(mailsTo(user.email).length, 5, 'and sends nothing');

  const latest = mailsTo(user.email, 'verify_account').at(-1);
  const res = await app.inject({ method: 'GET', url: pathOf(latest?.link ?? null) });
  t.equal(res.statusCode, 200, 'the links already sent keep working');
});

t.test('the OpenAPI document describes the routes', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  const doc = res.json<{
    paths: Record<
      string,
      Record<string, { summary?: string; tags?: string[]; responses: Record<string, unknown> }>
    >;
  }>();
  const ops = [
    ['/api/v1/verify/{token}', 'get', '200'],
    ['/api/v1/verify/resend', 'post', '202'],
    ['/api/v1/password/forgot', 'post', '202'],
    ['/api/v1/password/reset', 'post', '204'],
  ] as const;
  for (const [path, method, status] of ops) {
    const op = doc.paths[path]?.[method];
    t.ok(op?.summary, `${method} ${path} has a summary`);
    t.ok(op?.tags?.length, `${method} ${path} has tags`);
    t.ok(op?.responses[status], `${method} ${path} documents ${status}`);
    t.ok(op?.responses['400'] ?? op?.responses['401'], `${method} ${path} documents problems`);
  }
});
