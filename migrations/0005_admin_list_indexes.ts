import { sql, type Kysely } from 'kysely';

// Immutable once released: change the schema with a new numbered migration.
// Indexes for the keyset-paginated admin lists, so that a page costs the same at any depth:
// every sort, with and without the status filter, and the audit list by actor and by target
// with its (created_at, id) keyset (0002's indexes lacked the id tiebreaker).

export async function up(db: Kysely<any>): Promise<void> {
  // Live users by email (lower(email) is unique: users_email_lower_key) with a status filter.
  await db.schema
    .createIndex('users_status_email_lower_idx')
    .on('users')
    .columns(['status', sql`lower(email)`])
    .execute();
  // The deleted-users list: few rows, each sort on an index of its own.
  await db.schema
    .createIndex('users_deleted_created_at_id_idx')
    .on('users')
    .columns(['created_at desc', 'id desc'])
    .where(sql<boolean>`deleted_at is not null`)
    .execute();
  await db.schema
    .createIndex('users_deleted_email_lower_idx')
    .on('users')
    .expression(sql`lower(email)`)
    .where(sql<boolean>`deleted_at is not null`)
    .execute();

  await db.schema
    .createIndex('audit_events_actor_id_created_at_id_idx')
    .on('audit_events')
    .columns(['actor_id', 'created_at desc', 'id desc'])
    .execute();
  await db.schema.dropIndex('audit_events_actor_id_created_at_idx').execute();
  await db.schema
    .createIndex('audit_events_target_id_created_at_id_idx')
    .on('audit_events')
    .columns(['target_id', 'created_at desc', 'id desc'])
    .execute();
  await db.schema.dropIndex('audit_events_target_id_created_at_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('audit_events_target_id_created_at_idx')
    .on('audit_events')
    .columns(['target_id', 'created_at desc'])
    .execute();
  await db.schema.dropIndex('audit_events_target_id_created_at_id_idx').execute();
  await db.schema
    .createIndex('audit_events_actor_id_created_at_idx')
    .on('audit_events')
    .columns(['actor_id', 'created_at desc'])
    .execute();
  await db.schema.dropIndex('audit_events_actor_id_created_at_id_idx').execute();
  await db.schema.dropIndex('users_deleted_email_lower_idx').execute();
  await db.schema.dropIndex('users_deleted_created_at_id_idx').execute();
  await db.schema.dropIndex('users_status_email_lower_idx').execute();
}
