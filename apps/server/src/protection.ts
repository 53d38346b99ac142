import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock, LoginThrottle, RateLimitStore } from '@latchkey/domain';
import { InProcessLoginThrottle, InProcessRateLimitStore } from '@latchkey/application';
import type { CheckState, ProtectionOptions } from '@latchkey/adapters-http';
import {
  RedisLoginThrottle,
  RedisRateLimitStore,
  createRedisConnection,
  type FallbackReason,
  type RedisConnection,
} from '@latchkey/adapters-redis';
import type { Config } from './config/index.js';

/** The protection wiring: Redis (when configured), buckets, lockout, and their metrics. */
export interface Protection {
  /** Unset without REDIS_URL. Shared with other Redis adapters (caches). */
  readonly redis: RedisConnection | undefined;
  readonly loginThrottle: LoginThrottle;
  readonly rateLimitStore: RateLimitStore;
  /** For `buildApp`. */
  readonly http: ProtectionOptions;
  /** `/ready`'s `redis` check. */
  redisCheck(): Promise<CheckState>;
  /** Closes the Redis connection (after the app). */
  close(): Promise<void>;
}

export interface ProtectionDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly registry: Registry;
  readonly logger?: Logger | undefined;
  /** `false` turns the per-IP limits off (benchmarks). */
  readonly rateLimit?: boolean;
}

const FALLBACK_LOG_INTERVAL_MS = 30_000;

/** Counts each lock a throttle starts. */
const countingLocks = (throttle: LoginThrottle, lockouts: Counter): LoginThrottle => ({
  check: (key) => throttle.check(key),
  recordFailure: async (key) => {
    const seconds = await throttle.recordFailure(key);
    if (seconds !== null) lockouts.inc();
    return seconds;
  },
  reset: (key) => throttle.reset(key),
});

/**
 * Builds the rate-limit store and the login throttle: in Redis (shared by every instance) with an
 * in-process fallback while Redis is down, or in-process only without REDIS_URL. Never fails
 * because Redis is unreachable: the connection keeps retrying in the background.
 */
export const composeProtection = async ({
  config,
  clock,
  registry,
  logger,
  rateLimit = true,
}: ProtectionDeps): Promise<Protection> => {
  const lockouts = new Counter({
    name: 'latchkey_lockouts_total',
    help: 'Per-account login locks started (LOCKOUT_THRESHOLD failed logins within LOCKOUT_WINDOW)',
    registers: [registry],
  });
  const localThrottle = new InProcessLoginThrottle(clock, {
    threshold: config.lockoutThreshold,
    windowSeconds: config.lockoutWindow,
  });
  const localStore = new InProcessRateLimitStore(clock);

  let redis: RedisConnection | undefined;
  let loginThrottle: LoginThrottle = localThrottle;
  let rateLimitStore: RateLimitStore = localStore;

  if (config.redisUrl !== undefined) {
    const fallbacks = new Counter({
      name: 'latchkey_redis_fallback_total',
      help: 'Operations served in-process because Redis was down or a command failed',
      labelNames: ['component', 'reason'] as const,
      registers: [registry],
    });
    // Every series exists from the start, so that rate() and increase() alerts see a zero.
    for (const component of ['rate_limit', 'lockout']) {
      for (const reason of ['down', 'error']) fallbacks.inc({ component, reason }, 0);
    }
    let lastLog = 0;
    const onFallback = (component: string) => (reason: FallbackReason, error?: unknown) => {
      fallbacks.inc({ component, reason });
      const now = Date.now();
      if (reason === 'error' && now - lastLog >= FALLBACK_LOG_INTERVAL_MS) {
        lastLog = now;
        logger?.warn({ err: error, component }, 'redis command failed: served in-process');
      }
    };
    const connection = createRedisConnection({
      url: config.redisUrl,
      onStateChange: (state, err) => {
        if (state === 'down')
          logger?.warn({ err }, 'redis down: rate limits and lockouts fall back to in-process');
        else logger?.info('redis up: rate limits and lockouts shared by every instance');
      },
    });
    redis = connection;
    new Gauge({
      name: 'latchkey_redis_up',
      help: '1 while the Redis connection is ready, else 0',
      registers: [registry],
      collect() {
        this.set(connection.isUp ? 1 : 0);
      },
    });
    if (!(await connection.connect()))
      logger?.warn('redis unreachable at start: in-process limits until it answers');
    rateLimitStore = new RedisRateLimitStore(connection, {
      clock,
      fallback: localStore,
      onFallback: onFallback('rate_limit'),
    });
    loginThrottle = new RedisLoginThrottle(connection, {
      clock,
      threshold: config.lockoutThreshold,
      windowSeconds: config.lockoutWindow,
      fallback: localThrottle,
      onFallback: onFallback('lockout'),
    });
  }

  return {
    redis,
    loginThrottle: countingLocks(loginThrottle, lockouts),
    rateLimitStore,
    http: {
      rateLimit: rateLimit
        ? {
            store: rateLimitStore,
            max: config.rateLimitMax,
            authMax: config.rateLimitAuthMax,
            windowSeconds: config.rateLimitWindow,
          }
        : false,
      cors: { origins: config.corsOrigins },
    },
    async redisCheck() {
      if (redis === undefined) return 'disabled';
      return (await redis.ping(500)) ? 'up' : 'down';
    },
    async close() {
      await redis?.close();
    },
  };
};
