import type { Clock, RateLimitStore, TokenBucketResult } from '@latchkey/domain';
import type { Redis } from 'ioredis';
import { withFallback, type FallbackOptions } from './redis-fallback.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * `takeToken` (packages/domain/src/token-bucket.ts) as one atomic script, so concurrent requests
 * on every instance share one bucket. KEYS[1] = bucket; ARGV = capacity, windowMs, nowMs.
 * The time comes from the caller's clock (as in-process), the TTL only collects idle buckets.
 */
export const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local full = capacity * window
local state = redis.call('HMGET', KEYS[1], 'l', 't')
local level = tonumber(state[1])
local updated = tonumber(state[2])
if level == nil or updated == nil then
  level = full
else
  level = math.min(full, level + math.max(0, now - updated) * capacity)
end
local allowed = 0
if level >= window then
  level = level - window
  allowed = 1
end
redis.call('HSET', KEYS[1], 'l', string.format('%.0f', level), 't', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], window + 1000)
local retry = 0
if allowed == 0 then retry = math.ceil((window - level) / capacity) end
return { allowed, math.floor(level / window), math.ceil((full - level) / capacity), retry }
`;

interface TokenBucketCommand {
  latchkeyTokenBucket(
    key: string,
    capacity: number,
    windowMs: number,
    nowMs: number,
  ): Promise<number[]>;
}

/** Defines the script on `client` once; ioredis runs it by EVALSHA, re-sending it after a restart. */
const withScript = (client: Redis): Redis & TokenBucketCommand => {
  const scripted = client as Redis & Partial<TokenBucketCommand>;
  if (typeof scripted.latchkeyTokenBucket !== 'function') {
    client.defineCommand('latchkeyTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
  }
  return client as Redis & TokenBucketCommand;
};

export interface RedisRateLimitStoreOptions extends FallbackOptions<RateLimitStore> {
  readonly clock: Clock;
  /** Prefix of every bucket key (default `latchkey:rl:`). */
  readonly keyPrefix?: string;
}

/**
 * Token buckets in Redis, shared by every instance. While Redis is down, or when a command
 * fails, the in-process `fallback` serves (its buckets start full); Redis serves again as soon as
 * the connection is back.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: Redis & TokenBucketCommand;
  readonly #prefix: string;

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: RedisRateLimitStoreOptions,
  ) {
    this.#client = withScript(connection.client);
    this.#prefix = options.keyPrefix ?? 'latchkey:rl:';
  }

  take(key: string, capacity: number, windowMs: number): Promise<TokenBucketResult> {
    return withFallback(
      this.connection,
      this.options.onFallback,
      async () => {
        const now = this.options.clock.now().getTime();
        const [allowed, remaining, resetMs, retryAfterMs] = await this.#client.latchkeyTokenBucket(
          this.#prefix + key,
          capacity,
          windowMs,
          now,
        );
        return {
          allowed: allowed === 1,
          remaining: remaining ?? 0,
          resetMs: resetMs ?? 0,
          retryAfterMs: retryAfterMs ?? 0,
        };
      },
      () => this.options.fallback.take(key, capacity, windowMs),
    );
  }
}
