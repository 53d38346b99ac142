import { sql, type Kysely } from 'kysely';

// Immutable once released: change the schema with a new numbered migration.
// The default catalogue is copied here as literals on purpose: later code changes must not
// rewrite what this migration did.

const PERMISSIONS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'users:read', description: 'Read user accounts' },
  { name: 'users:write', description: 'Change user accounts' },
  { name: 'users:delete', description: 'Delete and restore user accounts' },
  { name: 'roles:read', description: 'Read roles and their permissions' },
  { name: 'roles:assign', description: 'Change the roles of users' },
  { name: 'audit:read', description: 'Read the audit trail' },
];

const ROLES: ReadonlyArray<{ name: string; description: string; permissions: readonly string[] }> =
  [
    { name: 'user', description: 'A signed-up user; no admin permissions', permissions: [] },
    { name: 'support', description: 'Reads user accounts', permissions: ['users:read'] },
    {
      name: 'admin',
      description: 'Every permission',
      permissions: [
        'users:read',
        'users:write',
        'users:delete',
        'roles:read',
        'roles:assign',
        'audit:read',
      ],
    },
  ];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('roles')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('permissions')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('description', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('role_permissions')
    .addColumn('role_name', 'text', (col) =>
      col.notNull().references('roles.name').onDelete('cascade'),
    )
    .addColumn('permission_name', 'text', (col) =>
      col.notNull().references('permissions.name').onDelete('cascade'),
    )
    .addPrimaryKeyConstraint('role_permissions_pkey', ['role_name', 'permission_name'])
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    // A role still held by someone cannot be dropped.
    .addColumn('role_name', 'text', (col) =>
      col.notNull().references('roles.name').onDelete('restrict'),
    )
    .addPrimaryKeyConstraint('user_roles_pkey', ['user_id', 'role_name'])
    .execute();
  // "Who has role R" (admin list filter, last-admin check); the pkey serves "roles of user U".
  await db.schema
    .createIndex('user_roles_role_name_user_id_idx')
    .on('user_roles')
    .columns(['role_name', 'user_id'])
    .execute();

  await db
    .insertInto('permissions')
    .values(PERMISSIONS.map((p) => ({ name: p.name, description: p.description })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  await db
    .insertInto('roles')
    .values(ROLES.map((r) => ({ name: r.name, description: r.description })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  await db
    .insertInto('role_permissions')
    .values(
      ROLES.flatMap((r) => r.permissions.map((p) => ({ role_name: r.name, permission_name: p }))),
    )
    .onConflict((oc) => oc.columns(['role_name', 'permission_name']).doNothing())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // Absolute end: rotation never extends it.
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_reason', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    // Access tokens issued before this instant are refused (role change).
    .addColumn('tokens_valid_from', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('sessions_user_id_created_at_idx')
    .on('sessions')
    .columns(['user_id', 'created_at desc'])
    .execute();
  // Cleanup of expired sessions.
  await db.schema
    .createIndex('sessions_expires_at_idx')
    .on('sessions')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('refresh_tokens')
    // SHA-256 of the token: the token itself is never stored.
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('session_id', 'uuid', (col) =>
      col.notNull().references('sessions.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('rotated_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('refresh_tokens_session_id_idx')
    .on('refresh_tokens')
    .column('session_id')
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (col) => col.primaryKey())
    .addColumn('algorithm', 'text', (col) => col.notNull())
    .addColumn('public_key', 'text', (col) => col.notNull())
    .addColumn('private_key_encrypted', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  // No foreign keys: the trail outlives the anonymisation of the users it names.
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('actor_id', 'uuid')
    .addColumn('target_id', 'uuid')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('data', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .execute();
  // Keyset pagination of the audit list, unfiltered and by each filter.
  await db.schema
    .createIndex('audit_events_created_at_id_idx')
    .on('audit_events')
    .columns(['created_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('audit_events_type_created_at_id_idx')
    .on('audit_events')
    .columns(['type', 'created_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('audit_events_actor_id_created_at_idx')
    .on('audit_events')
    .columns(['actor_id', 'created_at desc'])
    .execute();
  await db.schema
    .createIndex('audit_events_target_id_created_at_idx')
    .on('audit_events')
    .columns(['target_id', 'created_at desc'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('signing_keys').execute();
  await db.schema.dropTable('refresh_tokens').execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('user_roles').execute();
  await db.schema.dropTable('role_permissions').execute();
  await db.schema.dropTable('permissions').execute();
  await db.schema.dropTable('roles').execute();
}
