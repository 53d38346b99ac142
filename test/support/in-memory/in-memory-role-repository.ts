import type { Permission, Role, RoleName, RoleRepository } from '@latchkey/domain';
import { PERMISSIONS } from '@latchkey/domain';
import { clone, type StateAccess } from './in-memory-database.js';

const inOrder = (granted: ReadonlySet<Permission>): Permission[] =>
  PERMISSIONS.filter((p) => granted.has(p));

/** RoleRepository over the fake database (seeded with DEFAULT_ROLES, like the migration). */
export class InMemoryRoleRepository implements RoleRepository {
  constructor(private readonly access: StateAccess) {}

  async list(): Promise<Role[]> {
    return [...this.access.read().roles.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((role) => ({ ...clone(role), permissions: inOrder(new Set(role.permissions)) }));
  }

  async permissionsOf(roles: readonly RoleName[]): Promise<Permission[]> {
    const catalogue = this.access.read().roles;
    return inOrder(new Set(roles.flatMap((name) => catalogue.get(name)?.permissions ?? [])));
  }
}
