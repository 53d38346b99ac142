import { sql, type Kysely } from 'kysely';

// Immutable once released: change the schema with a new numbered migration.
// graphile-worker's own schema (`graphile_worker`) is installed by graphile-worker itself, next
// to these migrations (`pnpm cli migrate up` and every server start).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('one_time_tokens')
    // SHA-256 of the token: the token itself is never stored here.
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (col) => col.notNull())
    // The address a verification targets (the account's, or the pending one).
    .addColumn('email', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('superseded_at', 'timestamptz')
    .addCheckConstraint(
      'one_time_tokens_purpose_check',
      sql`purpose in ('verify_account', 'verify_email_change', 'password_reset', 'oauth_link')`,
    )
    .execute();
  // Superseding: the live tokens of one user and purpose.
  await db.schema
    .createIndex('one_time_tokens_user_id_purpose_idx')
    .on('one_time_tokens')
    .columns(['user_id', 'purpose'])
    .execute();
  // The purge job.
  await db.schema
    .createIndex('one_time_tokens_expires_at_idx')
    .on('one_time_tokens')
    .column('expires_at')
    .execute();

  // One row per verification or reset mail: the per-account hourly quota counts these.
  await db.schema
    .createTable('mail_log')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('mail_log_user_id_created_at_idx')
    .on('mail_log')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('mail_log_created_at_idx')
    .on('mail_log')
    .column('created_at')
    .execute();

  // Job worker pools announce themselves here; a pool that stopped announcing is dead, and the
  // jobs it still holds are unlocked for others (instead of after graphile-worker's 4 hours).
  await db.schema
    .createTable('job_worker_heartbeats')
    .addColumn('pool_id', 'text', (col) => col.primaryKey())
    .addColumn('hostname', 'text', (col) => col.notNull())
    .addColumn('pid', 'integer', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_worker_heartbeats').execute();
  await db.schema.dropTable('mail_log').execute();
  await db.schema.dropTable('one_time_tokens').execute();
}
