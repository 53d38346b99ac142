import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import { registerErrorHandler } from '../src/errors/error-handler.js';
import { overloadPlugin, type OverloadOptions } from '../src/plugins/overload.js';

const appUnder = async (options: OverloadOptions): Promise<FastifyInstance> => {
  const app = Fastify({ logger: false });
  registerErrorHandler(app, { isUnavailable: () => false });
  await app.register(overloadPlugin, options);
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async () => ({ status: 'ready' }));
  app.get('/api/v1/users/me', async () => ({ user: 'x' }));
  await app.ready();
  return app;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test(
  'heap pressure: 503 service_unavailable with Retry-After; probes still answer',
  async (t) => {
    const app = await appUnder({ maxHeapUsedBytes: 1, sampleIntervalMs: 10, retryAfterSeconds: 7 });
    t.teardown(() => app.close());
    await sleep(50);
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/me' });
    t.equal(res.statusCode, 503);
    t.equal(res.headers['retry-after'], '7');
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(res.json().code, 'service_unavailable');
    t.equal(
      (await app.inject({ method: 'GET', url: '/health' })).statusCode,
      200,
      '/health is never shed',
    );
    t.equal(
      (await app.inject({ method: 'GET', url: '/ready' })).statusCode,
      200,
      '/ready is never shed',
    );
  },
);

t.test('start-up lag: the first two samples never shed', async (t) => {
  const app = await appUnder({ maxHeapUsedBytes: 1, sampleIntervalMs: 300 });
  t.teardown(() => app.close());
  await sleep(400); // the first sample (at 300 ms) sees "pressure"
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/v1/users/me' })).statusCode,
    200,
    'still in the grace period',
  );
  await sleep(500);
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/v1/users/me' })).statusCode,
    503,
    'shed after it',
  );
});

t.test('event-loop delay: a blocked loop sheds load, then recovers', async (t) => {
  const app = await appUnder({
    maxEventLoopDelayMs: 100,
    sampleIntervalMs: 100,
    maxHeapUsedBytes: 0,
  });
  t.teardown(() => app.close());
  const servedWithin = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if ((await app.inject({ method: 'GET', url: '/api/v1/users/me' })).statusCode === 200)
        return true;
      await sleep(20);
    }
    return false;
  };
  t.ok(await servedWithin(3000), 'healthy: served');
  let shed = false;
  for (let attempt = 0; attempt < 10 && !shed; attempt++) {
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // busy: the event loop cannot run, the next sample sees the lag
    }
    await sleep(5);
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/me' });
    shed = res.statusCode === 503 && res.json().code === 'service_unavailable';
  }
  t.ok(shed, 'a lagging event loop gets 503 service_unavailable');
  t.ok(await servedWithin(3000), 'served again once the loop is healthy');
});

t.test('defaults: a healthy process is never shed', async (t) => {
  const app = await appUnder({});
  t.teardown(() => app.close());
  for (let i = 0; i < 20; i++) {
    if ((await app.inject({ method: 'GET', url: '/api/v1/users/me' })).statusCode !== 200)
      t.fail(`request ${i}`);
  }
  t.pass('served');
});
