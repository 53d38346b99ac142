import { createHash, randomBytes } from 'node:crypto';
import type { SecretTokens } from '@latchkey/domain';

/** Real random tokens (256 bits, base64url) and SHA-256 hex hashes; counts what it made. */
export class FakeSecretTokens implements SecretTokens {
  readonly generated: string[] = [];

  generate(): string {
    const token = randomBytes(32).toString('base64url');
    this.generated.push(token);
    return token;
  }

  hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
