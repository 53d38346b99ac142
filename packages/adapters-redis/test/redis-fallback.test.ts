import t from 'tap';
import { InProcessLoginThrottle, InProcessRateLimitStore } from '@latchkey/application';
import { requirePrivateRedis } from '../../../test/helpers/private-redis.js';
import { FixedClock } from '../../../test/support/in-memory/index.js';
import {
  RedisLoginThrottle,
  RedisRateLimitStore,
  createRedisConnection,
  type FallbackReason,
  type RedisState,
} from '../src/index.js';

const waitFor = async (
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const redis = await requirePrivateRedis(t);
if (redis !== undefined) {
  t.teardown(() => redis.kill());
  const states: RedisState[] = [];
  const fallbacks: FallbackReason[] = [];
  const connection = createRedisConnection({
    url: redis.url,
    commandTimeoutMs: 200,
    suspendAfterFailureMs: 300,
    maxReconnectDelayMs: 200,
    onStateChange: (state) => states.push(state),
  });
  t.teardown(() => connection.close());
  const clock = new FixedClock();
  const local = new InProcessRateLimitStore(clock);
  const store = new RedisRateLimitStore(connection, {
    clock,
    fallback: local,
    onFallback: (r) => fallbacks.push(r),
  });
  const localThrottle = new InProcessLoginThrottle(clock, { threshold: 2, windowSeconds: 60 });
  const throttle = new RedisLoginThrottle(connection, {
    clock,
    threshold: 2,
    windowSeconds: 60,
    fallback: localThrottle,
    onFallback: (r) => fallbacks.push(r),
  });
  const bucketsInRedis = async () => (await connection.client.keys('latchkey:rl:*')).length;

  t.test('up: buckets live in Redis', async (t) => {
    t.equal(connection.state, 'down', 'down before connect');
    t.equal(await connection.ping(), false, 'ping is false before connect');
    t.ok(await connection.connect());
    t.equal(connection.state, 'up');
    const r = await store.take('1.2.3.4', 2, 60_000);
    t.same([r.allowed, r.remaining], [true, 1]);
    t.equal(await bucketsInRedis(), 1);
    t.equal(local.size, 0, 'the fallback is not touched');
    t.same(fallbacks, []);
  });

  t.test('killed: served in-process at once, never rejected', async (t) => {
    await redis.kill();
    await waitFor(() => connection.state === 'down', 'state down');
    t.equal(await connection.ping(), false);
    const started = Date.now();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await store.take('1.2.3.4', 2, 60_000));
    t.ok(Date.now() - started < 100, 'no waiting on the dead connection');
    t.same(
      results.map((r) => r.allowed),
      [true, true, false],
      'limited in-process (its bucket starts full)',
    );
    t.equal(await throttle.recordFailure('x@example.com'), null);
    t.equal(await throttle.recordFailure('x@example.com'), 30, 'lockout works in-process');
    t.equal(await throttle.check('x@example.com'), 30);
    t.same(new Set(fallbacks), new Set(['down']));
    t.equal(fallbacks.length, 6);
  });

  t.test('back: shared again, without a restart', async (t) => {
    fallbacks.length = 0;
    await redis.start();
    await waitFor(() => connection.state === 'up', 'state up');
    t.equal(await connection.ping(), true);
    const r = await store.take('5.6.7.8', 2, 60_000);
    t.equal(r.allowed, true);
    t.equal(await bucketsInRedis(), 1, 'the bucket is in the (new, empty) Redis');
    t.same(fallbacks, []);
    await throttle.reset('x@example.com');
    t.equal(
      await throttle.check('x@example.com'),
      null,
      'reset also clears a lock taken in-process',
    );
  });

  t.test('hung: a command that times out falls back too', async (t) => {
    redis.pause();
    t.teardown(() => redis.resume());
    const started = Date.now();
    const r = await store.take('9.9.9.9', 2, 60_000);
    t.equal(r.allowed, true);
    t.ok(
      Date.now() - started < 1500,
      `answered after the command timeout (${Date.now() - started} ms)`,
    );
    t.equal(fallbacks[0], 'error');
    const again = Date.now();
    await store.take('9.9.9.9', 2, 60_000);
    t.ok(Date.now() - again < 50, 'then goes around the hung server instead of waiting again');
    t.equal(fallbacks[1], 'down');
    t.equal(connection.isUp, false);
  });

  t.test('state changes were reported', async (t) => {
    redis.resume();
    await waitFor(() => connection.state === 'up', 'state up after resume');
    t.same(states.slice(0, 3), ['up', 'down', 'up']);
  });
}
