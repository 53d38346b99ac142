import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { requirePrivateRedis } from './helpers/private-redis.js';
import { startTestServer, uniqueEmail } from './support/test-server.js';

const LIMITS = { RATE_LIMIT_MAX: '100', RATE_LIMIT_AUTH_MAX: '5', RATE_LIMIT_WINDOW: '60' };

const newIp = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const login = (app: FastifyInstance, ip: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/login',
    remoteAddress: ip,
    payload: { email: uniqueEmail('fo'), password: 'wrong password' },
  });
const ready = async (app: FastifyInstance) => {
  const res = await app.inject({ method: 'GET', url: '/ready' });
  return { status: res.statusCode, redis: res.json<{ checks: { redis: string } }>().checks.redis };
};
const metric = async (app: FastifyInstance, pattern: RegExp): Promise<number> => {
  const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  return body
    .split('\n')
    .filter((line) => pattern.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
};
const waitForRedis = async (app: FastifyInstance, state: 'up' | 'down'): Promise<void> => {
  const deadline = Date.now() + 15_000;
  while ((await ready(app)).redis !== state) {
    if (Date.now() > deadline) throw new Error(`redis never became ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const redis = await requirePrivateRedis(t);
if (redis !== undefined) {
  t.teardown(() => redis.kill());
  const a = await startTestServer({ ...LIMITS, REDIS_URL: redis.url });
  const b = await startTestServer({ ...LIMITS, REDIS_URL: redis.url });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });

  t.test('Redis up: shared limits', async (t) => {
    t.same(await ready(a.app), { status: 200, redis: 'up' });
    const ip = newIp();
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await login(i % 2 ? b.app : a.app, ip)).statusCode);
    t.same(codes, [401, 401, 401, 401, 401, 429]);
    t.equal(await metric(a.app, /^latchkey_redis_up /), 1);
  });

  t.test('Redis killed mid-run: still served, limited in-process, never a 500', async (t) => {
    await redis.kill();
    await waitForRedis(a.app, 'down');
    t.same(await ready(a.app), { status: 200, redis: 'down' }, '/ready stays 200');
    t.equal(await metric(a.app, /^latchkey_redis_up /), 0);

    const ip = newIp();
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await login(a.app, ip)).statusCode);
    t.same(codes, [401, 401, 401, 401, 401, 429], 'the in-process bucket limits this instance');
    const me = await a.app.inject({ method: 'GET', url: '/api/v1/users/me', remoteAddress: ip });
    t.equal(me.statusCode, 401, 'ordinary requests are served');
    t.equal(me.headers['ratelimit-limit'], '100', 'and limited');
    t.ok(
      (await metric(a.app, /^latchkey_redis_fallback_total\{component="rate_limit"/)) >= 7,
      'fallbacks are counted',
    );
    t.ok(
      (await metric(a.app, /^latchkey_redis_fallback_total\{component="lockout"/)) >= 5,
      'lockout fell back too',
    );
  });

  t.test('Redis back: shared limits again', async (t) => {
    await redis.start();
    await waitForRedis(a.app, 'up');
    await waitForRedis(b.app, 'up');
    const before = await metric(a.app, /^latchkey_redis_fallback_total/);
    const ip = newIp();
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await login(i % 2 ? b.app : a.app, ip)).statusCode);
    t.same(codes, [401, 401, 401, 401, 401, 429], 'limits hold across both instances again');
    t.equal(await metric(a.app, /^latchkey_redis_fallback_total/), before, 'no more fallbacks');
    t.equal(await metric(a.app, /^latchkey_redis_up /), 1);
  });
}
