import { createHash } from 'node:crypto';
import type { PasswordHasher } from '@latchkey/domain';

const digest = (password: string): string =>
  createHash('sha256').update(password, 'utf8').digest('hex');
const FORMAT = /^fake\$v(\d+)\$([0-9a-f]{64})$/;

/**
 * A fast, deterministic hasher (`fake$v<version>$<sha256>`). It counts every call, remembers the
 * passwords it was given (to check normalisation), and asks for a rehash of hashes made with an
 * older `version`.
 */
export class FakePasswordHasher implements PasswordHasher {
  version = 1;
  hashCalls = 0;
  verifyCalls = 0;
  verifyDummyCalls = 0;
  /** Every password received, in call order. */
  readonly passwords: string[] = [];

  /** verify + verifyDummy: the calls that cost a real hasher its time on a login. */
  get verifications(): number {
    return this.verifyCalls + this.verifyDummyCalls;
  }

  /** @returns the hash this hasher would make for `password` (no call is counted). */
  hashOf(password: string, version = this.version): string {
    return `fake$v${version}$${digest(password)}`;
  }

  async hash(password: string): Promise<string> {
    this.hashCalls += 1;
    this.passwords.push(password);
    return this.hashOf(password);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    this.verifyCalls += 1;
    this.passwords.push(password);
    return FORMAT.exec(hash)?.[2] === digest(password);
  }

  async verifyDummy(password: string): Promise<void> {
    this.verifyDummyCalls += 1;
    this.passwords.push(password);
  }

  needsRehash(hash: string): boolean {
    return FORMAT.exec(hash)?.[1] !== String(this.version);
  }

  /** Forgets the counts. */
  reset(): void {
    this.hashCalls = 0;
    this.verifyCalls = 0;
    this.verifyDummyCalls = 0;
    this.passwords.length = 0;
  }
}
