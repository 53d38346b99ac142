// The per-IP limiter alone: a trivial route on a bare Fastify app, without and with the rate-limit
// plugin (in-process store, Redis store), driven by app.inject in this process. Reports this
// process's CPU time per request: the limiter's own cost, free of database and network noise
// (for Redis it includes the client side, not the Redis server's work), with 50 requests in
// flight as under load.
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance } from 'fastify';
import { InProcessRateLimitStore } from '../../packages/application/src/index.js';
import {
  createRedisConnection,
  RedisRateLimitStore,
} from '../../packages/adapters-redis/src/index.js';
import {
  rateLimitPlugin,
  type RateLimitOptions,
} from '../../packages/adapters-http/src/plugins/rate-limit.js';
import type { RateLimitStore } from '../../packages/domain/src/index.js';

const clock = { now: () => new Date() };
// prom-client is a dependency of adapters-http, not of the repository root.
const { Registry } = createRequire(
  new URL('../../packages/adapters-http/package.json', import.meta.url),
)('prom-client') as { Registry: new () => RateLimitOptions['registry'] };

const appWith = async (store: RateLimitStore | null): Promise<FastifyInstance> => {
  const app = Fastify({ logger: false });
  if (store) {
    await app.register(rateLimitPlugin, {
      store,
      max: 1e9,
      authMax: 1e9,
      windowSeconds: 60,
      registry: new Registry(),
    });
  }
  app.get('/x', async () => ({ ok: true }));
  await app.ready();
  return app;
};

/** CPU per request with `CONCURRENCY` requests in flight, as under load. */
const CONCURRENCY = 50;
const cpuPerRequest = async (app: FastifyInstance, requests: number): Promise<number> => {
  const batch = () =>
    Promise.all(
      Array.from({ length: CONCURRENCY }, () => app.inject({ method: 'GET', url: '/x' })),
    );
  for (let i = 0; i < 1000 / CONCURRENCY; i++) await batch();
  const before = process.cpuUsage();
  const batches = Math.ceil(requests / CONCURRENCY);
  for (let i = 0; i < batches; i++) await batch();
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / (batches * CONCURRENCY);
};

/** Median CPU µs per request of each variant over `rounds` alternating rounds. */
export const limiterOverhead = async (
  redisUrl: string,
  rounds = 5,
  requests = 10_000,
): Promise<Record<'none' | 'in-process' | 'redis', number>> => {
  const connection = createRedisConnection({ url: redisUrl });
  if (!(await connection.connect())) throw new Error(`Redis not reachable at ${redisUrl}`);
  const stores = {
    none: () => null,
    'in-process': () => new InProcessRateLimitStore(clock),
    redis: () =>
      new RedisRateLimitStore(connection, {
        clock,
        fallback: new InProcessRateLimitStore(clock),
        keyPrefix: `latchkey:bench:${Date.now()}:`,
      }),
  } as const;
  const samples: Record<string, number[]> = {};
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [name, make] of Object.entries(stores)) {
        const app = await appWith(make());
        (samples[name] ??= []).push(await cpuPerRequest(app, requests));
        await app.close();
      }
    }
  } finally {
    const keys = await connection.client.keys('latchkey:bench:*');
    if (keys.length > 0) await connection.client.del(...keys);
    await connection.close();
  }
  const median = (xs: number[] = []) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return {
    none: median(samples.none),
    'in-process': median(samples['in-process']),
    redis: median(samples.redis),
  };
};
