/**
 * Token bucket, in integer arithmetic so every implementation (this one, the Redis Lua script)
 * agrees to the millisecond: one token is `windowMs` units, the bucket holds
 * `capacity * windowMs` units and refills `capacity` units per millisecond, i.e. `capacity`
 * tokens per window. A bucket never seen, or idle for a whole window, is full.
 */
export interface TokenBucketState {
  /** Units held, 0..capacity*windowMs. */
  readonly level: number;
  /** When `level` was computed, ms since the epoch. */
  readonly updatedAt: number;
}

/** The outcome of taking one token. */
export interface TokenBucketResult {
  /** Whether a token was taken (the request may proceed). */
  readonly allowed: boolean;
  /** Whole tokens left after this take. */
  readonly remaining: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
  /** Milliseconds until the next token when refused; 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Refills `state` up to `nowMs` and takes one token when there is one.
 * @param capacity tokens per window (the burst), at least 1.
 * @param windowMs the time to refill an empty bucket, at least 1.
 */
export const takeToken = (
  state: TokenBucketState | null,
  nowMs: number,
  capacity: number,
  windowMs: number,
): { state: TokenBucketState; result: TokenBucketResult } => {
  const full = capacity * windowMs;
  const elapsed = state === null ? 0 : Math.max(0, nowMs - state.updatedAt);
  let level = state === null ? full : Math.min(full, state.level + elapsed * capacity);
  const allowed = level >= windowMs;
  if (allowed) level -= windowMs;
  return {
    state: { level, updatedAt: nowMs },
    result: {
      allowed,
      remaining: Math.floor(level / windowMs),
      resetMs: Math.ceil((full - level) / capacity),
      retryAfterMs: allowed ? 0 : Math.ceil((windowMs - level) / capacity),
    },
  };
};
