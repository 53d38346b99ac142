/** The source of the current time; tests freeze it. */
export interface Clock {
  /** @returns the current instant. */
  now(): Date;
}

/** Makes new, time-ordered ids. */
export interface IdGenerator {
  /** @returns a new UUID v7. */
  newId(): string;
}

/** Makes and hashes opaque secrets (refresh, verification, reset and link tokens). */
export interface SecretTokens {
  /** @returns a new token carrying at least 256 bits of CSPRNG randomness, URL-safe. */
  generate(): string;
  /** @returns the hash under which `token` is stored (SHA-256, hex). */
  hash(token: string): string;
}
