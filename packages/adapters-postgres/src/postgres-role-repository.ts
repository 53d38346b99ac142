import type { Permission, Role, RoleName, RoleRepository } from '@latchkey/domain';
import { PERMISSIONS, isPermission } from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** Known permissions among `names`, in PERMISSIONS order (unknown names are ignored). */
const toPermissions = (names: readonly string[]): Permission[] => {
  const granted = new Set(names.filter(isPermission));
  return PERMISSIONS.filter((p) => granted.has(p));
};

/** RoleRepository on PostgreSQL. It caches nothing: callers that need a cache add their own. */
export class PostgresRoleRepository implements RoleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Role[]> {
    const rows = await this.db
      .selectFrom('roles')
      .leftJoin('role_permissions', 'role_permissions.role_name', 'roles.name')
      .select([
        'roles.name',
        'roles.description',
        sql<
          string[]
        >`coalesce(array_agg(role_permissions.permission_name) filter (where role_permissions.permission_name is not null), '{}')`.as(
          'permissions',
        ),
      ])
      .groupBy(['roles.name', 'roles.description'])
      .orderBy('roles.name')
      .execute();
    return rows.map((row) => ({
      name: row.name,
      description: row.description,
      permissions: toPermissions(row.permissions),
    }));
  }

  async permissionsOf(roles: readonly RoleName[]): Promise<Permission[]> {
    if (roles.length === 0) return [];
    const rows = await this.db
      .selectFrom('role_permissions')
      .select('permission_name')
      .distinct()
      .where('role_name', 'in', [...roles])
      .execute();
    return toPermissions(rows.map((row) => row.permission_name));
  }
}
