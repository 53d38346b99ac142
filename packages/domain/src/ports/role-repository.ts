import type { Permission, Role, RoleName } from '../permissions.js';

/** Reads the role catalogue. */
export interface RoleRepository {
  /** @returns every role with its permissions, by name. */
  list(): Promise<Role[]>;
  /** @returns the union of the permissions of `roles`. */
  permissionsOf(roles: readonly RoleName[]): Promise<Permission[]>;
}
