import t from 'tap';
import { countJobs } from '@latchkey/server';
import { createKysely, createPool, type Database } from '@latchkey/adapters-postgres';
import { createTestDatabase } from './helpers/database.js';
import { parsePrometheusText, promtoolCheck, sampleValue } from './support/prometheus-text.js';
import {
  GOOD_PASSWORD,
  refreshCookieOf,
  signUp,
  startTestServer,
  uniqueEmail,
} from './support/test-server.js';

const ts = await startTestServer({ METRICS_TOKEN: 'scrape-secret', REFRESH_REUSE_GRACE: '0' });
const { app } = ts;
t.teardown(() => ts.close());

const scrape = async () => {
  const res = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: 'Bearer scrape-secret' },
  });
  return { res, families: parsePrometheusText(res.body) };
};

t.test('/metrics needs the METRICS_TOKEN when one is set', async (t) => {
  const none = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(none.statusCode, 401);
  t.equal(none.json().code, 'unauthorized');
  const wrong = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: 'Bearer nope' },
  });
  t.equal(wrong.statusCode, 401);
  const { res } = await scrape();
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
});

t.test('auth events, pool and job gauges, valid exposition', async (t) => {
  const before = (await scrape()).families;
  const count = (name: string, labels: Record<string, string> = {}) =>
    sampleValue(before, name, labels) ?? 0;

  // One registration + login (signUp), one wrong password, one refresh, one reuse.
  const user = await signUp(app);
  const wrong = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: user.email, password: 'not the password at all' },
  });
  t.equal(wrong.statusCode, 401);
  const refreshed = await app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    headers: { cookie: `refresh_token=${user.refreshToken}` },
  });
  t.equal(refreshed.statusCode, 200);
  t.ok(refreshCookieOf(refreshed.headers['set-cookie']));
  // The rotated token again, past the (zero) grace period: reuse.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const reused = await app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    headers: { cookie: `refresh_token=${user.refreshToken}` },
  });
  t.equal(reused.statusCode, 401);

  const { res, families } = await scrape();
  const promtool = promtoolCheck(res.body);
  if (promtool === null) t.comment('promtool not installed: checked by the strict parser only');
  else {
    t.ok(promtool.parsed, `promtool parses the exposition: ${promtool.findings.join('; ')}`);
    // Its lint may flag prom-client's own defaults (nodejs_active_handles_total is a gauge);
    // our metrics must be clean.
    const ours = promtool.findings.filter((f) => /^(latchkey_|http_request_duration)/.test(f));
    t.same(ours, [], 'promtool lint: nothing about our metrics');
  }

  const after = (name: string, labels: Record<string, string> = {}) =>
    sampleValue(families, name, labels) ?? 0;
  t.equal(after('latchkey_registrations_total') - count('latchkey_registrations_total'), 1);
  t.equal(
    after('latchkey_logins_total', { outcome: 'success' }) -
      count('latchkey_logins_total', { outcome: 'success' }),
    1,
  );
  t.equal(
    after('latchkey_logins_total', { outcome: 'invalid_credentials' }) -
      count('latchkey_logins_total', { outcome: 'invalid_credentials' }),
    1,
  );
  t.equal(families.get('latchkey_logins_total')?.type, 'counter');
  for (const outcome of ['suspended', 'locked']) {
    t.not(
      sampleValue(families, 'latchkey_logins_total', { outcome }),
      undefined,
      `${outcome} series`,
    );
  }
  t.equal(
    after('latchkey_refreshes_total', { outcome: 'success' }) -
      count('latchkey_refreshes_total', { outcome: 'success' }),
    1,
  );
  t.equal(
    after('latchkey_refreshes_total', { outcome: 'invalid' }) -
      count('latchkey_refreshes_total', { outcome: 'invalid' }),
    1,
  );
  t.equal(
    after('latchkey_refresh_token_reuse_total') - count('latchkey_refresh_token_reuse_total'),
    1,
  );
  for (const outcome of ['sent', 'failed']) {
    t.not(
      sampleValue(families, 'latchkey_mails_total', { outcome }),
      undefined,
      `mails ${outcome}`,
    );
  }

  const total = sampleValue(families, 'latchkey_db_pool_connections', { state: 'total' });
  const idle = sampleValue(families, 'latchkey_db_pool_connections', { state: 'idle' });
  t.ok(total !== undefined && total >= 1, 'the pool has connections');
  t.ok(idle !== undefined && idle <= (total ?? 0), 'idle <= total');
  t.equal(sampleValue(families, 'latchkey_db_pool_connections', { state: 'waiting' }), 0);
  // The test database has graphile-worker's schema (installed at start): both states, at 0 or more.
  t.ok(
    (sampleValue(families, 'latchkey_jobs', { state: 'queued' }) ?? -1) >= 1,
    'the verification mail is queued',
  );
  t.equal(sampleValue(families, 'latchkey_jobs', { state: 'failed' }), 0);

  t.ok(families.has('process_cpu_user_seconds_total'), 'process defaults');
  t.ok(families.has('nodejs_eventloop_lag_seconds'), 'Node defaults');
  t.ok(
    families.has('latchkey_rate_limited_total'),
    'rate limiting (protection) on the same registry',
  );
});

t.test('the histogram counts a request under its route template, never the raw URL', async (t) => {
  const user = await signUp(app, uniqueEmail('histogram'));
  const id = '0190a0a0-0000-7000-8000-000000000000';
  const res = await app.inject({
    method: 'DELETE',
    url: `/api/v1/users/me/sessions/${id}`,
    headers: { authorization: `Bearer ${user.accessToken}` },
  });
  t.equal(res.statusCode, 404);
  await app.inject({ method: 'GET', url: `/no/such/${id}` });
  const { families } = await scrape();
  const family = families.get('http_request_duration_seconds');
  t.equal(family?.type, 'histogram');
  const labels = { method: 'DELETE', route: '/api/v1/users/me/sessions/:id', status_code: '404' };
  t.equal(sampleValue(families, 'http_request_duration_seconds_count', labels), 1);
  t.equal(
    sampleValue(families, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' }),
    1,
  );
  t.ok((sampleValue(families, 'http_request_duration_seconds_sum', labels) ?? 0) > 0);
  t.notOk(
    family?.samples.some((s) => (s.labels.route ?? '').includes(id)),
    'no raw URL as a label value',
  );
  t.ok(
    family?.samples.some((s) => s.labels.route === 'unmatched' && s.labels.status_code === '404'),
    'unmatched URLs share one label value',
  );
  t.ok(
    sampleValue(families, 'http_request_duration_seconds_count', {
      method: 'POST',
      route: '/api/v1/login',
      status_code: '200',
    }),
  );
});

t.test('job gauges: no samples without graphile-worker, never an error', async (t) => {
  const bare = await createTestDatabase({ migrate: false });
  const db = createKysely<Database>(createPool({ connectionString: bare.url, max: 1 }));
  t.teardown(async () => {
    await db.destroy();
    await bare.drop();
  });
  t.equal(await countJobs(db), null);
});

t.test('METRICS_ENABLED=false: no /metrics, no timing', async (t) => {
  const off = await startTestServer({ METRICS_ENABLED: 'false' });
  t.teardown(() => off.close());
  const res = await off.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 404);
  const login = await off.app.inject({
    method: 'POST',
    url: '/api/v1/register',
    payload: { email: uniqueEmail(), password: GOOD_PASSWORD },
  });
  t.equal(login.statusCode, 201, 'the API works without metrics');
});
