import { randomInt } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import { requireRedis } from './helpers/services.js';
import { startTestServer, uniqueEmail, type TestServer } from './support/test-server.js';

// The contract's limits (startTestServer raises them for the other suites).
const LIMITS = { RATE_LIMIT_MAX: '100', RATE_LIMIT_AUTH_MAX: '5', RATE_LIMIT_WINDOW: '60' };

/** A client address of this run: buckets in the shared Redis outlive a run by a minute. */
const newIp = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const login = (
  app: FastifyInstance,
  ip: string,
  url = '/api/v1/login',
  headers: Record<string, string> = {},
) =>
  app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers,
    payload: { email: uniqueEmail('rl'), password: 'wrong password' },
  });
const me = (app: FastifyInstance, ip: string) =>
  app.inject({ method: 'GET', url: '/api/v1/users/me', remoteAddress: ip });

const assertRateLimited = (t: Test, res: LightMyRequestResponse, limit: number, name: string) => {
  t.equal(res.statusCode, 429, `${name}: 429`);
  t.equal(res.json().code, 'rate_limited', name);
  t.match(res.headers['content-type'], /^application\/problem\+json/, name);
  t.match(res.headers['retry-after'], /^[1-9]\d*$/, `${name}: Retry-After`);
  t.equal(res.headers['ratelimit-limit'], String(limit), name);
  t.equal(res.headers['ratelimit-remaining'], '0', name);
  t.match(res.headers['ratelimit-reset'], /^\d+$/, name);
};

const server = await startTestServer(LIMITS);
t.teardown(() => server.close());
const { app } = server;

t.test('the 6th login from one IP within a minute is 429, per route and IP', async (t) => {
  const ip = newIp();
  for (let i = 1; i <= 5; i++) {
    const res = await login(app, ip);
    t.equal(res.statusCode, 401, `login ${i} reaches the handler`);
    t.equal(res.headers['ratelimit-limit'], '5');
    t.equal(res.headers['ratelimit-remaining'], String(5 - i));
  }
  const sixth = await login(app, ip);
  assertRateLimited(t, sixth, 5, '6th login');
  t.equal(sixth.headers['retry-after'], '12', 'one token per 12 s (5 per minute)');
  t.equal((await login(app, newIp())).statusCode, 401, 'another IP is unaffected');
  const register = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    remoteAddress: ip,
    payload: { email: uniqueEmail('rl'), password: 'correct horse battery staple' },
  });
  t.equal(register.statusCode, 201, 'register has a bucket of its own');
  t.equal(register.headers['ratelimit-remaining'], '4');
  t.equal(
    (await me(app, ip)).headers['ratelimit-limit'],
    '100',
    'ordinary routes use the default bucket',
  );
});

t.test('5/minute on forgot and reset too, each its own bucket', async (t) => {
  const ip = newIp();
  for (const url of ['/api/v1/password/forgot', '/api/v1/password/reset']) {
    const payload = url.endsWith('forgot')
      ? { email: uniqueEmail('rl') }
      : { token: 'x'.repeat(43), password: 'a new passphrase' };
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        (await app.inject({ method: 'POST', url, remoteAddress: ip, payload })).statusCode,
      );
    }
    t.same(codes.slice(5), [429], `${url}: 6th is 429`);
    t.notOk(codes.slice(0, 5).includes(429), `${url}: the first five pass (${codes.join(',')})`);
  }
});

/**
 * Sends until the first 429. A token bucket refills while it runs (100/min: one token per 600 ms),
 * so on a slow machine a few more than `limit` may pass: exactly the tokens refilled meanwhile.
 */
const drain = async (
  t: Test,
  limit: number,
  send: (i: number) => Promise<LightMyRequestResponse>,
) => {
  const started = Date.now();
  const remaining: number[] = [];
  let refused: LightMyRequestResponse | null = null;
  for (let i = 0; i < limit + 50 && refused === null; i++) {
    const res = await send(i);
    if (res.statusCode === 429) refused = res;
    else {
      if (res.headers['ratelimit-limit'] !== String(limit))
        t.fail(`request ${i + 1}: no RateLimit-Limit`);
      remaining.push(Number(res.headers['ratelimit-remaining']));
    }
  }
  const refilled = Math.ceil((Date.now() - started) / Math.floor(60_000 / limit));
  t.ok(refused, 'refused in the end');
  t.ok(
    remaining.length >= limit && remaining.length <= limit + refilled,
    `${remaining.length} passed: the ${limit} of a full bucket, plus at most the ${refilled} refilled meanwhile`,
  );
  t.equal(remaining[0], limit - 1, 'the first answer counts itself');
  t.equal(remaining.at(-1), 0, 'the last one passed emptied the bucket');
  return refused;
};

t.test('the 101st ordinary request is 429; every limited response has RateLimit-*', async (t) => {
  const ip = newIp();
  const refused = await drain(t, 100, () => me(app, ip));
  if (refused) assertRateLimited(t, refused, 100, '101st request');
  const jwks = await app.inject({
    method: 'GET',
    url: '/.well-known/jwks.json',
    remoteAddress: ip,
  });
  t.equal(jwks.headers['ratelimit-limit'], '100');
  t.ok(
    jwks.statusCode === 429 || jwks.headers['ratelimit-remaining'] === '0',
    'the default bucket is shared by every ordinary route (empty for another route too)',
  );

  for (const url of ['/health', '/ready', '/metrics']) {
    const res = await app.inject({ method: 'GET', url, remoteAddress: ip });
    t.equal(res.statusCode, 200, `${url} is never limited`);
    t.notOk(res.headers['ratelimit-limit'], `${url}: no RateLimit headers`);
  }
});

t.test('no spelling of a path is an unlimited alias', async (t) => {
  const ip = newIp();
  const spellings = [
    '/api/v1/login',
    '/api/v1/login?x=1',
    '/api/v1/log%69n',
    '/api/v1/login?',
    '/api/v1/%6Cogin',
  ];
  const remaining = [];
  for (const url of spellings)
    remaining.push((await login(app, ip, url)).headers['ratelimit-remaining']);
  t.same(
    remaining,
    ['4', '3', '2', '1', '0'],
    'query strings and percent-encoding share the route bucket',
  );
  t.equal((await login(app, ip, '/api/v1/login?y')).statusCode, 429);

  const other = newIp();
  const first = await app.inject({ method: 'GET', url: '/nope', remoteAddress: other });
  t.equal(first.statusCode, 404);
  t.equal(
    first.headers['ratelimit-remaining'],
    '99',
    'a 404 takes exactly one token of the default bucket',
  );
  for (const url of ['//api/v1/login', '/api/v1/login/', '/API/v1/login']) {
    const res = await app.inject({ method: 'POST', url, remoteAddress: other, payload: {} });
    t.equal(res.statusCode, 404, `${url} is 404`);
    t.ok(res.headers['ratelimit-limit'], `${url} is limited`);
  }
});

t.test('IPv6 clients share their /64; IPv4-mapped addresses are their IPv4 address', async (t) => {
  const prefix = `2001:db8:${randomInt(0xffff).toString(16)}:${randomInt(0xffff).toString(16)}`;
  const remaining = [];
  for (const ip of [`${prefix}::1`, `${prefix}:ffff:1:2:3`, `${prefix}:0:0:0:abcd`]) {
    remaining.push((await login(app, ip)).headers['ratelimit-remaining']);
  }
  t.same(remaining, ['4', '3', '2'], 'one bucket for the whole /64');
  t.equal(
    (await login(app, `2001:db8:${randomInt(0xffff).toString(16)}::1`)).headers[
      'ratelimit-remaining'
    ],
    '4',
    'another /64',
  );

  const v4 = newIp();
  t.equal((await login(app, v4)).headers['ratelimit-remaining'], '4');
  t.equal(
    (await login(app, `::ffff:${v4}`)).headers['ratelimit-remaining'],
    '3',
    'mapped address shares the bucket',
  );
});

t.test('X-Forwarded-For without TRUST_PROXY changes nothing', async (t) => {
  const ip = newIp();
  const codes = [];
  for (let i = 0; i < 6; i++)
    codes.push((await login(app, ip, '/api/v1/login', { 'x-forwarded-for': newIp() })).statusCode);
  t.same(
    codes,
    [401, 401, 401, 401, 401, 429],
    'a fresh spoofed address per request does not help',
  );
});

t.test('with TRUST_PROXY, X-Forwarded-For selects the bucket', async (t) => {
  const proxy = newIp();
  const behind = await startTestServer({ ...LIMITS, TRUST_PROXY: proxy });
  t.teardown(() => behind.close());
  const client = newIp();
  const codes = [];
  for (let i = 0; i < 6; i++) {
    codes.push(
      (await login(behind.app, proxy, '/api/v1/login', { 'x-forwarded-for': client })).statusCode,
    );
  }
  t.same(codes, [401, 401, 401, 401, 401, 429], 'the client behind the proxy is limited');
  const other = await login(behind.app, proxy, '/api/v1/login', { 'x-forwarded-for': newIp() });
  t.equal(other.statusCode, 401, 'another client behind the same proxy has its own bucket');
  t.equal(other.headers['ratelimit-remaining'], '4');
  const spoofed = await login(behind.app, newIp(), '/api/v1/login', { 'x-forwarded-for': client });
  t.equal(
    spoofed.headers['ratelimit-remaining'],
    '4',
    'XFF from a peer that is not the proxy is ignored',
  );
  const chain = await login(behind.app, proxy, '/api/v1/login', {
    'x-forwarded-for': `${client}, ${newIp()}`,
  });
  t.equal(chain.headers['ratelimit-remaining'], '4', 'only the hop the trusted proxy added counts');
});

t.test('429s are counted', async (t) => {
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  t.match(metrics.body, /latchkey_rate_limited_total\{route="\/api\/v1\/login"\} [1-9]/);
  t.match(metrics.body, /latchkey_rate_limited_total\{route="\/api\/v1\/users\/me"\} [1-9]/);
});

t.test('two instances sharing one Redis hold the limits together', async (t) => {
  const url = await requireRedis(t);
  if (url === undefined) return;
  const a: TestServer = await startTestServer({ ...LIMITS, REDIS_URL: url });
  const b: TestServer = await startTestServer({ ...LIMITS, REDIS_URL: url });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  for (const s of [a, b]) {
    t.same((await s.app.inject({ method: 'GET', url: '/ready' })).json().checks.redis, 'up');
  }

  const ip = newIp();
  const codes = [];
  for (let i = 0; i < 6; i++) codes.push((await login(i % 2 === 0 ? a.app : b.app, ip)).statusCode);
  t.same(codes, [401, 401, 401, 401, 401, 429], 'logins alternate between instances: 6th is 429');

  const other = newIp();
  const refused = await drain(t, 100, (i) => me(i % 2 === 0 ? a.app : b.app, other));
  if (refused) assertRateLimited(t, refused, 100, '101st across both');
  const next = await me(a.app, other);
  t.ok(
    next.statusCode === 429 || next.headers['ratelimit-remaining'] === '0',
    'either instance sees the shared, empty bucket',
  );
  const metrics = (await a.app.inject({ method: 'GET', url: '/metrics' })).body;
  const fallbacks = metrics
    .split('\n')
    .filter((l) => l.startsWith('latchkey_redis_fallback_total{'));
  t.equal(fallbacks.length, 4, 'every fallback series exists from the start');
  t.ok(
    fallbacks.every((l) => l.endsWith(' 0')),
    'and stays 0: no fallback',
  );
  t.match(metrics, /latchkey_redis_up 1/);
});
