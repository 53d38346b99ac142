import { sql, type Kysely } from 'kysely';

// Immutable once released: change the schema with a new numbered migration.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('email', 'text', (col) => col.notNull())
    // null for accounts made by a sign-in provider
    .addColumn('password_hash', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('pending_email', 'text')
    .addColumn('email_verified_at', 'timestamptz')
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('users_status_check', sql`status in ('unverified', 'active', 'suspended')`)
    .execute();

  // Unique ignoring case, soft-deleted accounts included (their email stays taken).
  await db.schema
    .createIndex('users_email_lower_key')
    .on('users')
    .unique()
    .expression(sql`lower(email)`)
    .execute();
  // Keyset pagination: newest first, with and without a status filter.
  await db.schema
    .createIndex('users_created_at_id_idx')
    .on('users')
    .columns(['created_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('users_status_created_at_id_idx')
    .on('users')
    .columns(['status', 'created_at desc', 'id desc'])
    .execute();
  // Few rows are deleted: the retention job and the deleted-users list scan only those.
  await db.schema
    .createIndex('users_deleted_at_idx')
    .on('users')
    .column('deleted_at')
    .where('deleted_at', 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('users').execute();
}
