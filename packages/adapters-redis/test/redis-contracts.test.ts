import { randomBytes } from 'node:crypto';
import t from 'tap';
import { InProcessLoginThrottle, InProcessRateLimitStore } from '@latchkey/application';
import { requireRedis } from '../../../test/helpers/services.js';
import { loginThrottleContract } from '../../../test/support/contracts/login-throttle-contract.js';
import { rateLimitStoreContract } from '../../../test/support/contracts/rate-limit-store-contract.js';
import { FixedClock } from '../../../test/support/in-memory/index.js';
import { RedisLoginThrottle, RedisRateLimitStore, createRedisConnection } from '../src/index.js';

const THROTTLE = { threshold: 3, windowSeconds: 900, baseLockSeconds: 30 } as const;

// The in-process implementations: the reference the Redis scripts must match.
await rateLimitStoreContract(t, 'in-process', async () => {
  const clock = new FixedClock();
  return { store: new InProcessRateLimitStore(clock), clock };
});
await loginThrottleContract(t, 'in-process', async () => {
  const clock = new FixedClock();
  return { throttle: new InProcessLoginThrottle(clock, THROTTLE), clock };
});

t.test('Redis', async (t) => {
  const url = await requireRedis(t);
  if (url === undefined) return;
  const connection = createRedisConnection({ url });
  t.ok(await connection.connect(), 'connected');
  t.equal(connection.state, 'up');
  t.equal(await connection.ping(), true);
  // A key space of this run: the suite never touches other keys of the shared Redis.
  const prefix = `latchkey:test:${randomBytes(6).toString('hex')}:`;
  t.teardown(async () => {
    const keys = await connection.client.keys(`${prefix}*`);
    if (keys.length > 0) await connection.client.del(...keys);
    await connection.close();
  });
  // A fallback that fails loudly: while Redis is up it must never be used.
  const unused = new Proxy({} as never, {
    get: () => () => Promise.reject(new Error('fallback used while Redis is up')),
  });
  let n = 0;
  await rateLimitStoreContract(t, 'Redis', async () => {
    const clock = new FixedClock();
    const store = new RedisRateLimitStore(connection, {
      clock,
      fallback: unused,
      keyPrefix: `${prefix}rl${++n}:`,
    });
    return { store, clock };
  });
  await loginThrottleContract(t, 'Redis', async () => {
    const clock = new FixedClock();
    const throttle = new RedisLoginThrottle(connection, {
      clock,
      ...THROTTLE,
      fallback: new InProcessLoginThrottle(clock, THROTTLE),
      keyPrefix: `${prefix}lo${++n}:`,
    });
    return { throttle, clock };
  });

  t.test('Redis keys hold no email address', async (t) => {
    const clock = new FixedClock();
    const throttle = new RedisLoginThrottle(connection, {
      clock,
      ...THROTTLE,
      fallback: unused,
      keyPrefix: `${prefix}pii:`,
    });
    await throttle.recordFailure('alice@example.com');
    const keys = await connection.client.keys(`${prefix}pii:*`);
    t.equal(keys.length, 1);
    t.notMatch(keys[0] ?? '', /alice|example/);
    t.match(keys[0] ?? '', /^latchkey:test:[0-9a-f]+:pii:\{[0-9a-f]{64}\}:failures$/);
  });
});
