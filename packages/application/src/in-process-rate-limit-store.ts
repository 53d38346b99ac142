import type { Clock, RateLimitStore, TokenBucketResult, TokenBucketState } from '@latchkey/domain';
import { takeToken } from '@latchkey/domain';

export interface InProcessRateLimitStoreOptions {
  /** Buckets remembered at once; the least recently used are dropped past it (default 100000). */
  readonly maxKeys?: number;
}

/**
 * Token buckets kept in this process: the store without Redis, and the fallback while Redis is
 * down. A dropped bucket comes back full, so `maxKeys` bounds memory, not correctness for
 * active clients.
 */
export class InProcessRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, TokenBucketState>();
  readonly #maxKeys: number;

  constructor(
    private readonly clock: Clock,
    options: InProcessRateLimitStoreOptions = {},
  ) {
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  take(key: string, capacity: number, windowMs: number): Promise<TokenBucketResult> {
    const { state, result } = takeToken(
      this.#buckets.get(key) ?? null,
      this.clock.now().getTime(),
      capacity,
      windowMs,
    );
    this.#buckets.delete(key);
    this.#buckets.set(key, state);
    while (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
    return Promise.resolve(result);
  }

  /** Buckets currently remembered. */
  get size(): number {
    return this.#buckets.size;
  }
}
