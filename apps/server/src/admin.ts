import type { Kysely } from 'kysely';
import type {
  Clock,
  IdGenerator,
  PasswordHasher,
  PermissionCache,
  UnitOfWork,
} from '@latchkey/domain';
import {
  CachedRoleCatalogue,
  InProcessPermissionCache,
  adminDeleteUser,
  adminGetUser,
  adminListUsers,
  adminRestoreUser,
  adminUpdateUser,
  listAuditEvents,
  listRoles,
  type AdminDeps,
} from '@latchkey/application';
import type { AdminUseCases } from '@latchkey/adapters-http';
import {
  PostgresAuditTrail,
  PostgresRoleRepository,
  PostgresUserDirectory,
  PostgresUserRepository,
  type Database,
} from '@latchkey/adapters-postgres';
import { RedisPermissionCache, type RedisConnection } from '@latchkey/adapters-redis';

/**
 * The permission cache: in Redis when a connection is given (shared by every instance, with an
 * in-process fallback while Redis is down), else in process.
 */
export const composePermissionCache = (
  redis: RedisConnection | undefined,
  clock: Clock,
): PermissionCache => {
  const local = new InProcessPermissionCache(clock);
  return redis === undefined ? local : new RedisPermissionCache(redis, { fallback: local });
};

/** The ports of the administration use cases, over PostgreSQL. */
export const composeAdminDeps = (parts: {
  db: Kysely<Database>;
  unitOfWork: UnitOfWork;
  hasher: PasswordHasher;
  permissionCache: PermissionCache;
  clock: Clock;
  ids: IdGenerator;
}): AdminDeps => ({
  users: new PostgresUserRepository(parts.db),
  // The lists show each user's permissions: the catalogue is read at most every 5 s.
  roles: new CachedRoleCatalogue(new PostgresRoleRepository(parts.db), parts.clock),
  directory: new PostgresUserDirectory(parts.db),
  auditTrail: new PostgresAuditTrail(parts.db),
  unitOfWork: parts.unitOfWork,
  permissionCache: parts.permissionCache,
  hasher: parts.hasher,
  clock: parts.clock,
  ids: parts.ids,
});

/** The use cases behind `/api/v1/admin/…`. */
export const adminUseCases = (deps: AdminDeps): AdminUseCases => ({
  listUsers: adminListUsers(deps),
  getUser: adminGetUser(deps),
  updateUser: adminUpdateUser(deps),
  deleteUser: adminDeleteUser(deps),
  restoreUser: adminRestoreUser(deps),
  listRoles: listRoles(deps),
  listAuditEvents: listAuditEvents(deps),
});
