import { createHash, randomUUID } from 'node:crypto';
import type { Clock, LoginThrottle } from '@latchkey/domain';
import type { Redis } from 'ioredis';
import { withFallback, type FallbackOptions } from './redis-fallback.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * One failed login, atomically (mirrors InProcessLoginThrottle): failures are a sorted set of
 * timestamps inside the window; from `threshold` failures on, the key is locked for
 * `base * 2^(failures - threshold)` seconds, capped at the window.
 * KEYS = failures, lock; ARGV = nowMs, windowMs, threshold, baseLockSeconds, member, maxKept.
 * @returns the lock in seconds, or -1 when not locked.
 */
export const RECORD_FAILURE_LUA = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local threshold = tonumber(ARGV[3])
local base = tonumber(ARGV[4])
local kept = tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[5])
local n = redis.call('ZCARD', KEYS[1])
if n > kept then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - kept - 1)
  n = kept
end
redis.call('PEXPIRE', KEYS[1], window)
if n < threshold then return -1 end
local seconds = math.min(math.floor(window / 1000), base * 2 ^ (n - threshold))
redis.call('SET', KEYS[2], string.format('%.0f', now + seconds * 1000), 'PX', string.format('%.0f', seconds * 1000 + 1000))
return seconds
`;

interface RecordFailureCommand {
  latchkeyRecordFailure(
    failures: string,
    lock: string,
    nowMs: number,
    windowMs: number,
    threshold: number,
    baseLockSeconds: number,
    member: string,
    maxKept: number,
  ): Promise<number>;
}

export interface RedisLoginThrottleOptions extends FallbackOptions<LoginThrottle> {
  readonly clock: Clock;
  /** Failed logins within `windowSeconds` that lock a key. */
  readonly threshold: number;
  readonly windowSeconds: number;
  /** First lock length; each further failure past the threshold doubles it (default 30). */
  readonly baseLockSeconds?: number;
  /** Prefix of every key (default `latchkey:lockout:`). */
  readonly keyPrefix?: string;
}

/**
 * Per-account login throttling shared by every instance. Keys are SHA-256 digests of the
 * normalised email: Redis never holds an address. While Redis is down the in-process `fallback`
 * serves (it has not seen the failures counted in Redis).
 */
export class RedisLoginThrottle implements LoginThrottle {
  readonly #client: Redis & RecordFailureCommand;
  readonly #prefix: string;

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: RedisLoginThrottleOptions,
  ) {
    const client = connection.client as Redis & Partial<RecordFailureCommand>;
    if (typeof client.latchkeyRecordFailure !== 'function') {
      connection.client.defineCommand('latchkeyRecordFailure', {
        numberOfKeys: 2,
        lua: RECORD_FAILURE_LUA,
      });
    }
    this.#client = client as Redis & RecordFailureCommand;
    this.#prefix = options.keyPrefix ?? 'latchkey:lockout:';
  }

  /** `{digest}` is a hash tag: both keys of an account land on one Redis Cluster slot. */
  #keys(key: string): [failures: string, lock: string] {
    const digest = createHash('sha256').update(key).digest('hex');
    return [`${this.#prefix}{${digest}}:failures`, `${this.#prefix}{${digest}}:lock`];
  }

  check(key: string): Promise<number | null> {
    return withFallback(
      this.connection,
      this.options.onFallback,
      async () => {
        const until = Number(await this.#client.get(this.#keys(key)[1]));
        const ms = until - this.options.clock.now().getTime();
        return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : null;
      },
      () => this.options.fallback.check(key),
    );
  }

  recordFailure(key: string): Promise<number | null> {
    return withFallback(
      this.connection,
      this.options.onFallback,
      async () => {
        const [failures, lock] = this.#keys(key);
        const now = this.options.clock.now().getTime();
        const seconds = await this.#client.latchkeyRecordFailure(
          failures,
          lock,
          now,
          this.options.windowSeconds * 1000,
          this.options.threshold,
          this.options.baseLockSeconds ?? 30,
          `${now}:${randomUUID()}`,
          this.options.threshold + 32,
        );
        return seconds >= 0 ? seconds : null;
      },
      () => this.options.fallback.recordFailure(key),
    );
  }

  reset(key: string): Promise<void> {
    return withFallback(
      this.connection,
      this.options.onFallback,
      async () => {
        await this.#client.del(...this.#keys(key));
        // A lock taken while Redis was down lives in the fallback: clear it too.
        await this.options.fallback.reset(key);
      },
      () => this.options.fallback.reset(key),
    );
  }
}
