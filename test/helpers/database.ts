import { randomBytes } from 'node:crypto';
import { createKysely, createPool, migrateToLatest } from '@latchkey/adapters-postgres';

/** A database of its own for one test file or suite. */
export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  /** `lk_test_<random>` */
  name: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

/**
 * Creates `lk_test_<random>` on the server of `DATABASE_URL` (which `pnpm test` sets) and runs
 * every migration on it, unless `migrate: false`.
 * @throws when DATABASE_URL is unset.
 */
export async function createTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl === undefined || serverUrl === '') {
    throw new Error(
      'createTestDatabase: DATABASE_URL is not set. Run the tests with `pnpm test` (it starts an embedded PostgreSQL) ' +
        'or set DATABASE_URL to a PostgreSQL server where databases may be created.',
    );
  }
  const name = `lk_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const onServer = async (statement: string) => {
    const admin = createPool({
      connectionString: serverUrl,
      max: 1,
      statementTimeoutMs: 0,
      applicationName: 'latchkey-tests',
    });
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  const drop = () => onServer(`drop database if exists "${name}" with (force)`);

  await onServer(`create database "${name}"`);
  if (options.migrate !== false) {
    const db = createKysely<unknown>(
      createPool({ connectionString: url.href, max: 1, statementTimeoutMs: 0 }),
    );
    try {
      await migrateToLatest(db);
    } catch (err) {
      await db.destroy();
      await drop();
      throw err;
    }
    await db.destroy();
  }
  return { url: url.href, name, drop };
}
