import { ADMIN_ROLE, type RoleName } from './permissions.js';
import { isDeleted, type User } from './user.js';

/**
 * @returns true when `user` counts toward the last-admin invariant: live, not suspended and
 * holding the `admin` role. Pure.
 */
export const isActiveAdmin = (user: User): boolean =>
  !isDeleted(user) && user.status !== 'suspended' && user.roles.includes(ADMIN_ROLE);

/**
 * @returns true when changing `before` into `after` takes an active admin away (the role is
 * removed, or the account suspended or deleted). Such a change needs another active admin.
 */
export const losesActiveAdmin = (before: User, after: User): boolean =>
  isActiveAdmin(before) && !isActiveAdmin(after);

/** @returns the role names deduplicated and sorted by name, as repositories return them. */
export const normalizeRoles = (roles: readonly RoleName[]): RoleName[] =>
  [...new Set(roles)].sort();

/** @returns true when both lists name the same roles, ignoring order and duplicates. */
export const sameRoles = (a: readonly RoleName[], b: readonly RoleName[]): boolean => {
  const left = normalizeRoles(a);
  const right = normalizeRoles(b);
  return left.length === right.length && left.every((role, i) => role === right[i]);
};
