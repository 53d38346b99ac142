import { parseArgs } from 'node:util';
import { SigningKeyRing, SystemClock, UuidV7Generator } from '@latchkey/adapters-crypto';
import { PostgresSigningKeyRepository } from '@latchkey/adapters-postgres';
import { resolveKeyEncryptionKey } from '../config/index.js';
import type { CliCommand } from './command.js';
import { UsageError } from './command.js';

const USAGE = 'keys rotate|list';

/**
 * `keys rotate`: a new signing key signs from now on (every instance picks it up within its
 * reload interval, 30 s); the previous key stays in the JWKS until its tokens have expired.
 * `keys list`: every key with its state.
 */
export const keysCommand: CliCommand = {
  name: 'keys',
  usage: USAGE,
  summary: 'rotate or list the JWT signing keys',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const [action, ...extra] = positionals;
    if (extra.length > 0 || (action !== 'rotate' && action !== 'list')) {
      throw new UsageError(
        action === undefined ? 'missing action' : `unknown action "${action}"`,
        `usage: latchkey ${USAGE}`,
      );
    }
    const config = ctx.config();
    const kek = await resolveKeyEncryptionKey(config);
    await ctx.withDatabase(async (db) => {
      const repository = new PostgresSigningKeyRepository(db);
      if (action === 'list') {
        for (const key of await repository.list()) {
          const state =
            key.retiredAt === null ? 'current' : `retired ${key.retiredAt.toISOString()}`;
          ctx.print(`${key.kid} ${key.algorithm} created ${key.createdAt.toISOString()} ${state}`);
        }
        return;
      }
      const clock = new SystemClock();
      const ring = new SigningKeyRing({
        repository,
        kek,
        clock,
        ids: new UuidV7Generator(clock),
        accessTokenTtl: config.accessTokenTtl,
      });
      const kid = await ring.rotate();
      ctx.print(`new signing key ${kid}`);
    });
  },
};
