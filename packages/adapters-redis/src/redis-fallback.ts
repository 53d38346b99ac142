import type { RedisConnection } from './redis-connection.js';

/** Why an operation was served by the in-process fallback. */
export type FallbackReason = 'down' | 'error';

/** How a Redis adapter degrades: to `fallback`, reporting each time it does. */
export interface FallbackOptions<T> {
  /** Serves every operation while Redis is down or when a command fails. */
  readonly fallback: T;
  /** Called once per operation served by `fallback` (for a counter and rate-limited logs). */
  readonly onFallback?: (reason: FallbackReason, error?: unknown) => void;
}

/**
 * Runs `viaRedis` while the connection is up, else (or when it fails) `viaFallback`. Never
 * rejects because of Redis; the fallback's own errors pass through.
 */
export const withFallback = async <R>(
  connection: RedisConnection,
  onFallback: FallbackOptions<unknown>['onFallback'],
  viaRedis: () => Promise<R>,
  viaFallback: () => Promise<R>,
): Promise<R> => {
  if (!connection.isUp) {
    onFallback?.('down');
    return viaFallback();
  }
  try {
    return await viaRedis();
  } catch (error) {
    connection.reportFailure();
    onFallback?.('error', error);
    return viaFallback();
  }
};
