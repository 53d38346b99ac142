import type { Permission, PermissionCache, RoleRepository, User } from '@latchkey/domain';
import { normalizeRoles, sameRoles } from '@latchkey/domain';

/**
 * @returns the permissions of `user`'s current roles, from the cache when it holds an entry
 * computed from exactly those roles (an entry for other roles is stale: another instance changed
 * them, or an invalidation raced a refill), else from the role catalogue, refilling the cache.
 */
export const permissionsFor = async (
  cache: PermissionCache | undefined,
  roles: RoleRepository,
  user: Pick<User, 'id' | 'roles'>,
): Promise<Permission[]> => {
  if (cache !== undefined) {
    const hit = await cache.get(user.id);
    if (hit !== null && sameRoles(hit.roles, user.roles)) return [...hit.permissions];
  }
  const permissions = await roles.permissionsOf(user.roles);
  await cache?.set(user.id, { roles: normalizeRoles(user.roles), permissions });
  return permissions;
};
