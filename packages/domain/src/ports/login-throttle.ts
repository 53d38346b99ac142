/** Per-account throttling of failed logins, keyed on the normalised email. */
export interface LoginThrottle {
  /** @returns seconds to wait when `key` is locked out, else null. */
  check(key: string): Promise<number | null>;
  /** Counts a failed login. @returns seconds to wait when this failure locks `key`, else null. */
  recordFailure(key: string): Promise<number | null>;
  /** Forgets the failures of `key` (after a successful login). */
  reset(key: string): Promise<void>;
}
