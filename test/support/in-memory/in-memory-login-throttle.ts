import type { Clock, LoginThrottle } from '@latchkey/domain';

export interface InMemoryLoginThrottleOptions {
  /** Failures within the window that lock a key (default 10). */
  readonly threshold?: number;
  /** Seconds a failure counts (default 900). */
  readonly windowSeconds?: number;
}

/**
 * Sliding-window throttle: a key is locked while it has `threshold` failures in the window; the
 * wait is until enough of them age out (at least 1 s), so it grows as failures pile up.
 */
export class InMemoryLoginThrottle implements LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly threshold: number;
  readonly windowMs: number;

  constructor(
    private readonly clock: Clock,
    options: InMemoryLoginThrottleOptions = {},
  ) {
    this.threshold = options.threshold ?? 10;
    this.windowMs = (options.windowSeconds ?? 900) * 1000;
  }

  #recent(key: string): number[] {
    const since = this.clock.now().getTime() - this.windowMs;
    const recent = (this.#failures.get(key) ?? []).filter((at) => at > since);
    this.#failures.set(key, recent);
    return recent;
  }

  #wait(recent: readonly number[]): number | null {
    if (recent.length < this.threshold) return null;
    // Unlocked once the failure that keeps the count at the threshold ages out.
    const pivot = recent[recent.length - this.threshold] ?? 0;
    const ms = pivot + this.windowMs - this.clock.now().getTime();
    return Math.max(1, Math.ceil(ms / 1000));
  }

  async check(key: string): Promise<number | null> {
    return this.#wait(this.#recent(key));
  }

  async recordFailure(key: string): Promise<number | null> {
    const recent = this.#recent(key);
    recent.push(this.clock.now().getTime());
    return this.#wait(recent);
  }

  async reset(key: string): Promise<void> {
    this.#failures.delete(key);
  }
}
