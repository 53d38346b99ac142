import { fileURLToPath } from 'node:url';
import { sql, type ColumnType } from 'kysely';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { MigrationError, migrateDown, migrateToLatest, migrationStatus } from '../src/migrator.js';
import { createKysely, createPool } from '../src/pool.js';

const database = await createTestDatabase({ migrate: false });
/** What this test touches of the schema (the repositories own the full `Database` type). */
interface TestSchema {
  users: {
    id: string;
    email: string;
    status: string;
    password_hash: ColumnType<string | null, string | undefined>;
    created_at: ColumnType<Date, never>;
    updated_at: ColumnType<Date, never>;
  };
}
const db = createKysely<TestSchema>(createPool({ connectionString: database.url, max: 2 }));
t.teardown(async () => {
  await db.destroy();
  await database.drop();
});

const tableExists = async (name: string) =>
  (
    await sql<{
      found: string | null;
    }>`select to_regclass(${`public.${name}`})::text as found`.execute(db)
  ).rows[0]?.found === name;

t.test('up, down to zero, up again', async (t) => {
  const before = await migrationStatus(db);
  t.ok(before.length >= 1);
  t.equal(before[0]?.name, '0001_users', 'ordered by name');
  t.ok(
    before.every((m) => m.executedAt === null),
    'all pending on a fresh database',
  );

  const applied = await migrateToLatest(db);
  t.same(
    applied,
    before.map((m) => m.name),
    'every migration applied, in order',
  );
  t.same(await migrateToLatest(db), [], 'nothing left to apply');
  t.ok((await migrationStatus(db)).every((m) => m.executedAt instanceof Date));
  t.ok(await tableExists('users'));

  const id = '01890a5d-ac96-774b-bcce-b302099a8057';
  await db
    .insertInto('users')
    .values({ id, email: 'Ada@Example.com', status: 'unverified' })
    .execute();
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  t.ok(
    row.created_at instanceof Date && row.updated_at instanceof Date,
    'timestamps default to now()',
  );
  t.equal(row.password_hash, null, 'password_hash is nullable');
  await t.rejects(
    db
      .insertInto('users')
      .values({
        id: '01890a5d-ac96-774b-bcce-b302099a8058',
        email: 'ada@example.COM',
        status: 'active',
      })
      .execute(),
    { code: '23505', constraint: 'users_email_lower_key' },
    'email unique ignoring case',
  );
  await t.rejects(
    db
      .insertInto('users')
      .values({
        id: '01890a5d-ac96-774b-bcce-b302099a8059',
        email: 'b@example.com',
        status: 'banned',
      })
      .execute(),
    { code: '23514', constraint: 'users_status_check' },
  );
  const indexes = await sql<{
    indexname: string;
  }>`select indexname from pg_indexes where tablename = 'users'`.execute(db);
  t.same(indexes.rows.map((r) => r.indexname).sort(), [
    'users_created_at_id_idx',
    'users_deleted_at_idx',
    // 0005: the admin lists' keyset indexes.
    'users_deleted_created_at_id_idx',
    'users_deleted_email_lower_idx',
    'users_email_lower_key',
    'users_pkey',
    'users_status_created_at_id_idx',
    'users_status_email_lower_idx',
  ]);

  const reverted: string[] = [];
  for (let name = await migrateDown(db); name !== null; name = await migrateDown(db))
    reverted.push(name);
  t.same(reverted, [...applied].reverse(), 'down one step at a time, newest first');
  t.equal(await migrateDown(db), null, 'nothing to revert at zero');
  t.notOk(await tableExists('users'), 'down removes the table');
  t.ok((await migrationStatus(db)).every((m) => m.executedAt === null));

  t.same(await migrateToLatest(db), applied, 'up again from zero');
  t.ok(await tableExists('users'));
});

t.test('a failing migration is named', async (t) => {
  const folder = fileURLToPath(new URL('./fixtures/failing-migrations/', import.meta.url));
  const scratch = await createTestDatabase({ migrate: false });
  const other = createKysely<unknown>(createPool({ connectionString: scratch.url, max: 1 }));
  t.teardown(async () => {
    await other.destroy();
    await scratch.drop();
  });
  const err = await migrateToLatest(other, { folder }).catch((e: unknown) => e);
  t.type(err, MigrationError);
  t.match(err, {
    migrationName: '0001_broken',
    message: /^migration 0001_broken \(up\) failed: function no_such_function\(\) does not exist/,
  });
  t.same(
    await migrationStatus(other, { folder }),
    [{ name: '0001_broken', executedAt: null }],
    'not recorded',
  );
  const broken = await sql<{
    found: string | null;
  }>`select to_regclass('public.broken')::text as found`.execute(other);
  t.equal(broken.rows[0]?.found, null, 'its changes are rolled back');
  await t.rejects(
    migrationStatus(other, { folder: '/nonexistent' }),
    /cannot read the migrations folder \/nonexistent/,
  );
});
