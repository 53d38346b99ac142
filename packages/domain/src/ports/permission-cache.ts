import type { Permission, RoleName } from '../permissions.js';
import type { UserId } from '../user.js';

/** The permissions of a user, with the roles they were computed from. */
export interface CachedPermissions {
  /** Sorted role names; an entry whose roles differ from the user's current ones is stale. */
  readonly roles: readonly RoleName[];
  readonly permissions: readonly Permission[];
}

/**
 * Caches the permissions of users (Redis when configured, else in process). Every method is
 * best effort and never throws: a cache that is unreachable behaves as empty.
 */
export interface PermissionCache {
  /** @returns the user's entry, or null when absent, expired or unreachable. */
  get(userId: UserId): Promise<CachedPermissions | null>;
  /** Stores the user's entry for the cache's time to live. */
  set(userId: UserId, entry: CachedPermissions): Promise<void>;
  /** Forgets the user's entry; called after every change to the user's roles. */
  invalidate(userId: UserId): Promise<void>;
}
