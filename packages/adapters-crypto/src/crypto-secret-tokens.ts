import { createHash } from 'node:crypto';
import type { SecretTokens } from '@latchkey/domain';
import { poolRandomBytes } from './random-pool.js';

/** 256-bit CSPRNG tokens, base64url; stored as SHA-256 hex. */
export class CryptoSecretTokens implements SecretTokens {
  generate(): string {
    return poolRandomBytes(32).toString('base64url');
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
