// Prints the PostgreSQL plan (EXPLAIN ANALYZE) of the query behind GET /api/v1/admin/users, one
// JSON line per scenario. Used by scripts/bench-admin.ts; the scenarios come as a JSON argument:
//   [{ "name": "...", "sort": "-createdAt", "status": "active", "cursor": "..." }]
import {
  PostgresUserDirectory,
  createKysely,
  createPool,
  type Database,
} from '@latchkey/adapters-postgres';
import type { UserSort, UserStatus } from '@latchkey/domain';

interface Scenario {
  readonly name: string;
  readonly sort: UserSort;
  readonly status?: UserStatus;
  readonly cursor: string | null;
}

const url = process.env.DATABASE_URL;
if (url === undefined || process.argv[2] === undefined)
  throw new Error('DATABASE_URL and a JSON list of scenarios are required');
const scenarios = JSON.parse(process.argv[2]) as Scenario[];
const db = createKysely<Database>(
  createPool({ connectionString: url, max: 1, statementTimeoutMs: 0 }),
);
try {
  const directory = new PostgresUserDirectory(db);
  for (const scenario of scenarios) {
    const plan = await directory.explain({
      deleted: false,
      limit: 20,
      cursor: scenario.cursor,
      sort: scenario.sort,
      status: scenario.status,
    });
    process.stdout.write(`${JSON.stringify({ name: scenario.name, plan })}\n`);
  }
} finally {
  await db.destroy();
}
