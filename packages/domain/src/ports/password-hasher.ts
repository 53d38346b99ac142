/** Hashes and verifies passwords (already NFKC-normalised by the caller). */
export interface PasswordHasher {
  /** @returns an encoded hash of `password` with the current parameters. */
  hash(password: string): Promise<string>;
  /** @returns true when `password` matches `hash`. */
  verify(hash: string, password: string): Promise<boolean>;
  /** Verifies against a fixed dummy hash, so a missing account costs the same time. */
  verifyDummy(password: string): Promise<void>;
  /** @returns true when `hash` was made with older parameters and should be replaced. */
  needsRehash(hash: string): boolean;
}
