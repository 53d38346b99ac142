import { sql } from 'kysely';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import type { AdminHarness } from '../../../test/support/contracts/admin-harness.js';
import { auditTrailContract } from '../../../test/support/contracts/audit-trail-contract.js';
import { userDirectoryContract } from '../../../test/support/contracts/user-directory-contract.js';
import { FixedClock, SequentialIds } from '../../../test/support/in-memory/index.js';
import {
  PostgresAuditLog,
  PostgresAuditTrail,
  PostgresUserDirectory,
  PostgresUserRepository,
  createKysely,
  createPool,
  type Database,
} from '../src/index.js';

const database = await createTestDatabase();
const db = createKysely<Database>(createPool({ connectionString: database.url, max: 5 }));
t.teardown(async () => {
  await db.destroy();
  await database.drop();
});

const makeHarness = async (): Promise<AdminHarness> => {
  await sql`truncate users, audit_events cascade`.execute(db);
  const clock = new FixedClock();
  const ids = new SequentialIds(clock);
  return {
    users: new PostgresUserRepository(db),
    directory: new PostgresUserDirectory(db),
    audit: new PostgresAuditLog(db, ids, clock),
    trail: new PostgresAuditTrail(db),
    clock,
    ids,
  };
};

await userDirectoryContract(t, makeHarness);
await auditTrailContract(t, makeHarness);

t.test('PostgreSQL plans: every list query walks an index', async (t) => {
  const directory = new PostgresUserDirectory(db);
  for (const sort of ['createdAt', '-createdAt', 'email', '-email'] as const) {
    for (const status of [undefined, 'active'] as const) {
      // Planner cost settings that a tiny table would otherwise tip toward a sequential scan.
      const plan = await db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        await sql`set local enable_sort = off`.execute(trx);
        return new PostgresUserDirectory(trx).explain({
          deleted: false,
          limit: 20,
          cursor: null,
          sort,
          status,
        });
      });
      t.match(plan.join('\n'), /Index (Only )?Scan/, `${sort} ${status ?? ''}`);
      t.notMatch(plan.join('\n'), /Sort Key/, `${sort} ${status ?? ''}: no sort step`);
    }
  }
  t.ok(directory);
});
