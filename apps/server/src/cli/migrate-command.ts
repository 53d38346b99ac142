import { parseArgs } from 'node:util';
import {
  installJobQueueSchema,
  migrateDown,
  migrateToLatest,
  migrationStatus,
} from '@latchkey/adapters-postgres';
import type { CliCommand } from './command.js';
import { UsageError } from './command.js';

const USAGE = 'migrate up|down|status';

/** `migrate up` (to latest), `migrate down` (one step), `migrate status`. */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  usage: USAGE,
  summary: 'apply, revert (one step) or list database migrations',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const [action, ...extra] = positionals;
    if (extra.length > 0)
      throw new UsageError(`unexpected argument "${extra[0]}"`, `usage: latchkey ${USAGE}`);
    switch (action) {
      case 'up': {
        const applied = await ctx.withDatabase(async (db, pool) => {
          const names = await migrateToLatest(db);
          // graphile-worker's own schema (the job queue), versioned by graphile-worker itself.
          await installJobQueueSchema(pool);
          return names;
        });
        if (applied.length === 0) ctx.print('already up to date');
        for (const name of applied) ctx.print(`applied ${name}`);
        return;
      }
      case 'down': {
        const reverted = await ctx.withDatabase((db) => migrateDown(db));
        ctx.print(reverted === null ? 'nothing to revert' : `reverted ${reverted}`);
        return;
      }
      case 'status': {
        const status = await ctx.withDatabase((db) => migrationStatus(db));
        for (const { name, executedAt } of status) {
          ctx.print(
            `${name}\t${executedAt === null ? 'pending' : `applied ${executedAt.toISOString()}`}`,
          );
        }
        return;
      }
      default:
        throw new UsageError(
          action === undefined ? 'missing migrate action' : `unknown migrate action "${action}"`,
          `usage: latchkey ${USAGE}`,
        );
    }
  },
};
