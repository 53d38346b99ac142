/** Makes each OAuth `state` redeemable once, on every instance. */
export interface OAuthStateStore {
  /** Remembers a new state (by hash) until `expiresAt`. */
  save(stateHash: string, expiresAt: Date): Promise<void>;
  /**
   * Redeems a state atomically: of concurrent callers, exactly one gets true.
   * @returns false when unknown, already redeemed or expired at `now`.
   */
  consume(stateHash: string, now: Date): Promise<boolean>;
}
