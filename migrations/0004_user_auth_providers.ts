import { sql, type Kysely } from 'kysely';

// Immutable once released: change the schema with a new numbered migration.
// Social login: provider identities linked to users, identities waiting for a password-proven
// link, and the single-use OAuth `state` values. users.password_hash is nullable since 0001
// (provider-made accounts); that every account keeps a way to sign in is enforced by the
// application in the transaction of each unlink or password removal.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_auth_providers')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (col) => col.notNull())
    // The provider's stable account id (`sub`; GitHub's numeric id), never the email.
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('email', 'text')
    .addColumn('email_verified', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('linked_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('user_auth_providers_pkey', ['provider', 'subject'])
    // One identity per provider and user: DELETE /users/me/providers/{provider} names it.
    .addUniqueConstraint('user_auth_providers_user_id_provider_key', ['user_id', 'provider'])
    .addCheckConstraint(
      'user_auth_providers_provider_check',
      sql`provider in ('google', 'github', 'oidc')`,
    )
    .addCheckConstraint('user_auth_providers_subject_check', sql`length(subject) between 1 and 255`)
    .execute();
  // The primary key answers (provider, subject); the unique constraint answers "identities of a
  // user" (its leading column is user_id).

  await db.schema
    .createTable('oauth_pending_links')
    // SHA-256 of the link token: the token itself is never stored.
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('email', 'text')
    .addColumn('email_verified', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('used_at', 'timestamptz')
    .addCheckConstraint(
      'oauth_pending_links_provider_check',
      sql`provider in ('google', 'github', 'oidc')`,
    )
    .execute();
  await db.schema
    .createIndex('oauth_pending_links_user_id_idx')
    .on('oauth_pending_links')
    .column('user_id')
    .execute();
  await db.schema
    .createIndex('oauth_pending_links_expires_at_idx')
    .on('oauth_pending_links')
    .column('expires_at')
    .execute();

  // A row per authorization request in flight; redeeming deletes it (single use).
  await db.schema
    .createTable('oauth_states')
    .addColumn('state_hash', 'text', (col) => col.primaryKey())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('oauth_states_expires_at_idx')
    .on('oauth_states')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oauth_states').execute();
  await db.schema.dropTable('oauth_pending_links').execute();
  await db.schema.dropTable('user_auth_providers').execute();
}
