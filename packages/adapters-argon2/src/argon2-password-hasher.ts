import argon2 from 'argon2';
import type { PasswordHasher } from '@latchkey/domain';
import { BoundedQueue } from './bounded-queue.js';

export interface Argon2Options {
  /** Memory cost in KiB (OWASP minimum 19456). */
  readonly memoryKib: number;
  readonly timeCost: number;
  readonly parallelism: number;
  /** Hashes computed at once (libuv threads do the work). */
  readonly concurrency: number;
  /** Hashes allowed to wait; more are refused with 503. */
  readonly maxQueued: number;
}

/** argon2id hashing behind a bounded queue. */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly queue: BoundedQueue;
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly options: Argon2Options) {
    this.queue = new BoundedQueue(options.concurrency, options.maxQueued);
  }

  /** Hashes running or waiting (for metrics). */
  get pending(): number {
    return this.queue.size;
  }

  hash(password: string): Promise<string> {
    return this.queue.run(() =>
      argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: this.options.memoryKib,
        timeCost: this.options.timeCost,
        parallelism: this.options.parallelism,
      }),
    );
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.queue.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        // A malformed stored hash never matches.
        return false;
      }
    });
  }

  async verifyDummy(password: string): Promise<void> {
    // Made once with the current parameters, so the dummy costs what a real verify costs.
    this.dummyHash ??= argon2.hash('latchkey-dummy-password', {
      type: argon2.argon2id,
      memoryCost: this.options.memoryKib,
      timeCost: this.options.timeCost,
      parallelism: this.options.parallelism,
    });
    await this.verify(await this.dummyHash, password);
  }

  needsRehash(hash: string): boolean {
    // argon2 reads the encoded parameters itself (their order in the string is its own business).
    if (!hash.startsWith('$argon2id$')) return true;
    try {
      return argon2.needsRehash(hash, {
        memoryCost: this.options.memoryKib,
        timeCost: this.options.timeCost,
        parallelism: this.options.parallelism,
      });
    } catch {
      return true;
    }
  }
}
