/** A signing key as stored: the public half in PEM, the private half encrypted at rest. */
export interface StoredSigningKey {
  /** Key id, the JWT header `kid`. */
  readonly kid: string;
  /** JWS algorithm, e.g. `EdDSA`. */
  readonly algorithm: string;
  /** SPKI PEM of the public key. */
  readonly publicKey: string;
  /** The private key, encrypted with `KEY_ENCRYPTION_KEY` (opaque to the repository). */
  readonly privateKeyEncrypted: string;
  readonly createdAt: Date;
  /** When a newer key replaced it; null for the current key. */
  readonly retiredAt: Date | null;
}

/** Stores the signing keys shared by every instance. */
export interface SigningKeyRepository {
  /** @returns every key, retired ones too, newest first. */
  list(): Promise<StoredSigningKey[]>;
  /** Adds a key. @throws when a key with the same `kid` exists. */
  insert(key: StoredSigningKey): Promise<void>;
  /** Marks every unretired key but `kid` retired at `at`. */
  retireAllExcept(kid: string, at: Date): Promise<void>;
  /**
   * Runs `fn` in one transaction holding an exclusive lock shared by every instance, with a
   * repository bound to that transaction, so two instances starting at once cannot both create
   * a first key. @returns what `fn` returns.
   */
  withLock<T>(fn: (keys: SigningKeyRepository) => Promise<T>): Promise<T>;
}
