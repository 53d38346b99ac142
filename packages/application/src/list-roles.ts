import type { Role, RoleRepository } from '@latchkey/domain';

/** Lists the role catalogue: every role with its description and permissions, by name. */
export const listRoles = (deps: { roles: RoleRepository }) => (): Promise<Role[]> =>
  deps.roles.list();
