import type { Clock, LoginThrottle } from '@latchkey/domain';

export interface LoginThrottleSettings {
  /** Failed logins within `windowSeconds` that lock a key. */
  readonly threshold: number;
  readonly windowSeconds: number;
  /** First lock length; each further failure past the threshold doubles it. */
  readonly baseLockSeconds?: number;
  /** Keys remembered at once; the oldest are dropped past it. */
  readonly maxKeys?: number;
}

interface KeyState {
  failures: number[];
  lockedUntil: number;
}

/** The lock, in seconds, after `failures` failures past a threshold: doubling, capped. */
export const lockSeconds = (
  failures: number,
  threshold: number,
  base: number,
  cap: number,
): number => Math.min(cap, base * 2 ** Math.max(0, failures - threshold));

/** Per-account login throttling kept in this process (used when no Redis is configured). */
export class InProcessLoginThrottle implements LoginThrottle {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: LoginThrottleSettings,
  ) {}

  check(key: string): Promise<number | null> {
    const state = this.keys.get(key);
    const now = this.clock.now().getTime();
    if (!state || state.lockedUntil <= now) return Promise.resolve(null);
    return Promise.resolve(Math.ceil((state.lockedUntil - now) / 1000));
  }

  recordFailure(key: string): Promise<number | null> {
    const now = this.clock.now().getTime();
    const windowMs = this.settings.windowSeconds * 1000;
    const state = this.keys.get(key) ?? { failures: [], lockedUntil: 0 };
    state.failures = state.failures.filter((at) => now - at < windowMs);
    state.failures.push(now);
    this.keys.delete(key);
    this.keys.set(key, state);
    this.evict();
    if (state.failures.length < this.settings.threshold) return Promise.resolve(null);
    const seconds = lockSeconds(
      state.failures.length,
      this.settings.threshold,
      this.settings.baseLockSeconds ?? 30,
      this.settings.windowSeconds,
    );
    state.lockedUntil = now + seconds * 1000;
    return Promise.resolve(seconds);
  }

  reset(key: string): Promise<void> {
    this.keys.delete(key);
    return Promise.resolve();
  }

  private evict(): void {
    const max = this.settings.maxKeys ?? 100_000;
    while (this.keys.size > max) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
  }
}
