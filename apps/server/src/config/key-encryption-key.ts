import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config-types.js';
import { ConfigError } from './config-types.js';
import { decodeKeyEncryptionKey } from './load-config.js';

/** File under `DATA_DIR` that keeps the generated development key. */
export const GENERATED_KEY_FILE = 'key-encryption-key';

/**
 * The 32-byte key that encrypts signing keys at rest: `KEY_ENCRYPTION_KEY` when configured;
 * outside production, a key generated once and kept in `DATA_DIR/key-encryption-key` (mode 0600),
 * so restarts can still decrypt the keys stored in the database.
 * @throws ConfigError in production without a configured key, or when the kept file is corrupt.
 */
export async function resolveKeyEncryptionKey(
  config: Pick<Config, 'appEnv' | 'dataDir' | 'keyEncryptionKey'>,
): Promise<Buffer> {
  if (config.keyEncryptionKey !== undefined) {
    const key = decodeKeyEncryptionKey(config.keyEncryptionKey);
    if (key === null)
      throw new ConfigError(['KEY_ENCRYPTION_KEY: must be 32 bytes encoded as base64']);
    return key;
  }
  if (config.appEnv === 'production') {
    throw new ConfigError([
      'KEY_ENCRYPTION_KEY: must be set in production (generated keys are for development)',
    ]);
  }
  const file = path.join(config.dataDir, GENERATED_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing !== null) return existing;

  // 0755: the embedded PostgreSQL (its own OS user when run as root) lives under DATA_DIR too.
  await mkdir(config.dataDir, { recursive: true, mode: 0o755 });
  const key = randomBytes(32);
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    // Another process generated it first: use theirs, so both encrypt with the same key.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = await readKeyFile(file);
    if (raced === null) throw err;
    return raced;
  }
}

async function readKeyFile(file: string): Promise<Buffer | null> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const key = decodeKeyEncryptionKey(content.trim());
  if (key === null)
    throw new ConfigError([
      `KEY_ENCRYPTION_KEY: the generated key in ${file} is not 32 bytes of base64`,
    ]);
  return key;
}
