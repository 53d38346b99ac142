import type { TokenBucketResult } from '../token-bucket.js';

/**
 * Token buckets by key (client address, route): the store behind the per-IP rate limits.
 * Implementations shared by every instance (Redis) and kept in one process agree on the
 * arithmetic of `takeToken`.
 */
export interface RateLimitStore {
  /**
   * Takes one token from the bucket `key`, which holds `capacity` tokens and refills them all
   * over `windowMs`. Never rejects because a backing service is down: implementations degrade.
   */
  take(key: string, capacity: number, windowMs: number): Promise<TokenBucketResult>;
}
