import type { Permission, Role } from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** What `seedRoleCatalogue` added. */
export interface CatalogueSeedResult {
  readonly permissions: number;
  readonly roles: number;
  readonly grants: number;
}

/**
 * Adds the permissions, roles and grants of the catalogue that are missing, in one transaction.
 * Idempotent; never removes or rewrites anything (an operator's changes stay).
 */
export const seedRoleCatalogue = async (
  db: Kysely<Database>,
  roles: readonly Role[],
  permissions: Readonly<Record<Permission, string>>,
): Promise<CatalogueSeedResult> =>
  db.transaction().execute(async (trx) => {
    const permissionRows = Object.entries(permissions).map(([name, description]) => ({
      name,
      description,
    }));
    const addedPermissions = await trx
      .insertInto('permissions')
      .values(permissionRows)
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    const addedRoles = await trx
      .insertInto('roles')
      .values(roles.map((role) => ({ name: role.name, description: role.description })))
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    const grants = roles.flatMap((role) =>
      role.permissions.map((permission) => ({ role_name: role.name, permission_name: permission })),
    );
    const addedGrants =
      grants.length === 0
        ? { numInsertedOrUpdatedRows: 0n }
        : await trx
            .insertInto('role_permissions')
            .values(grants)
            .onConflict((oc) => oc.columns(['role_name', 'permission_name']).doNothing())
            .executeTakeFirst();
    return {
      permissions: Number(addedPermissions.numInsertedOrUpdatedRows ?? 0n),
      roles: Number(addedRoles.numInsertedOrUpdatedRows ?? 0n),
      grants: Number(addedGrants.numInsertedOrUpdatedRows ?? 0n),
    };
  });

/** Options of `seedSyntheticUsers`. */
export interface SyntheticUsersOptions {
  /** Users numbered 1..count: `<prefix>-0000001@example.com`. Existing ones are skipped. */
  readonly count: number;
  readonly emailPrefix: string;
  /** One hash for every synthetic user (they share a development password). */
  readonly passwordHash: string;
  /** The newest user's creation time; user n was created (count - n) * spacing earlier. */
  readonly now: Date;
  readonly spacingMs?: number;
  /** Rows per statement (default 50,000). */
  readonly batchSize?: number;
  /** Called after each batch with the users inserted so far. */
  readonly onProgress?: (inserted: number, done: number) => void;
}

/**
 * Bulk-loads synthetic users with set-based SQL (`generate_series`, one INSERT per batch for
 * users and their roles), idempotently. UUIDv7 ids are made in SQL from the creation time
 * (PostgreSQL 15 has no uuidv7()). Every user has `user`; one in 1000 also `support`;
 * statuses: every 20th suspended, every 7th unverified, the rest active; every 100th is
 * soft-deleted. Analyzes the tables after. @returns how many users were inserted.
 */
export const seedSyntheticUsers = async (
  db: Kysely<Database>,
  options: SyntheticUsersOptions,
): Promise<number> => {
  const batch = options.batchSize ?? 50_000;
  const spacing = options.spacingMs ?? 30_000;
  const newest = options.now.getTime();
  let inserted = 0;
  for (let from = 1; from <= options.count; from += batch) {
    const to = Math.min(options.count, from + batch - 1);
    const result = await sql<{ inserted: number }>`
      with numbered as (
        select n, md5(gen_random_uuid()::text) as r,
          to_timestamp((${newest}::bigint - (${options.count}::bigint - n) * ${spacing}::bigint) / 1000.0) as created_at
        from generate_series(${from}::int, ${to}::int) as n
      ), added as (
        insert into users (id, email, password_hash, status, display_name, email_verified_at, deleted_at, created_at, updated_at)
        select
          (lpad(to_hex((extract(epoch from created_at) * 1000)::bigint), 12, '0') || '7' ||
            substr(r, 1, 3) || '8' || substr(r, 4, 15))::uuid,
          ${options.emailPrefix} || '-' || lpad(n::text, 7, '0') || '@example.com',
          ${options.passwordHash},
          case when n % 20 = 0 then 'suspended' when n % 7 = 0 then 'unverified' else 'active' end,
          case when n % 1000 = 501 then 'Dev Support ' else 'Dev User ' end || n,
          case when n % 7 = 0 and n % 20 <> 0 then null else created_at end,
          case when n % 100 = 0 then least(created_at + interval '1 day', ${options.now}::timestamptz) end,
          created_at,
          created_at
        from numbered
        on conflict ((lower(email))) do nothing
        returning id, display_name
      ), granted as (
        insert into user_roles (user_id, role_name)
        select id, 'user' from added
        union all
        select id, 'support' from added where display_name like 'Dev Support %'
      )
      select count(*)::int as inserted from added`.execute(db);
    inserted += result.rows[0]?.inserted ?? 0;
    options.onProgress?.(inserted, to);
  }
  // Fresh statistics, so that the planner picks the keyset indexes at once.
  if (inserted > 0) await sql`analyze users, user_roles`.execute(db);
  return inserted;
};
