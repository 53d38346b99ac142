import type {
  AuditTrail,
  Clock,
  IdGenerator,
  PasswordHasher,
  Permission,
  PermissionCache,
  Role,
  RoleName,
  RoleRepository,
  TransactionRepositories,
  UnitOfWork,
  User,
  UserDirectory,
  UserId,
  UserRepository,
} from '@latchkey/domain';
import { LastAdminError, PERMISSIONS, ValidationError, permissionsOf } from '@latchkey/domain';

/** Everything the administration use cases need, as ports. */
export interface AdminDeps {
  readonly users: UserRepository;
  readonly roles: RoleRepository;
  readonly directory: UserDirectory;
  readonly auditTrail: AuditTrail;
  readonly unitOfWork: UnitOfWork;
  readonly permissionCache: PermissionCache;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/**
 * Who performs an administrative action: a signed-in user (a Principal fits), or the operator
 * at the command line (`userId` null, every permission).
 */
export interface Actor {
  readonly userId: UserId | null;
  readonly permissions: readonly Permission[];
}

/** The operator running the command line: audited with no actor id. */
export const OPERATOR: Actor = { userId: null, permissions: PERMISSIONS };

/** A user as administrators see it: deleted ones too, with the permissions of its roles. */
export interface AdminUser extends User {
  readonly permissions: readonly Permission[];
}

/** @returns `user` with the permissions its roles grant in `catalogue`. */
export const toAdminUser = (user: User, catalogue: readonly Role[]): AdminUser => ({
  ...user,
  permissions: permissionsOf(catalogue.filter((role) => user.roles.includes(role.name))),
});

/** @throws ValidationError (path `/roles`) naming the roles `catalogue` does not hold. */
export const assertKnownRoles = (
  roles: readonly RoleName[],
  catalogue: readonly Role[],
  path = '/roles',
): void => {
  const unknown = roles.filter((name) => !catalogue.some((role) => role.name === name));
  if (unknown.length > 0) {
    throw new ValidationError([
      { path, message: `unknown role: ${[...new Set(unknown)].join(', ')}` },
    ]);
  }
};

/**
 * Row-locks every live, unsuspended admin (in id order, so that transactions doing this cannot
 * deadlock) and @returns their ids as committed once the locks are held. Call it before locking
 * the target user. The second read matters under READ COMMITTED: the first one waits for
 * concurrent changes but re-checks only the users rows, so a role removed meanwhile (a
 * `user_roles` row) is seen only by a new statement.
 */
export const lockActiveAdmins = async (repos: TransactionRepositories): Promise<UserId[]> => {
  await repos.users.lockActiveAdmins();
  return repos.users.lockActiveAdmins();
};

/** @throws LastAdminError unless `admins` holds an admin other than `userId`. */
export const assertAnotherAdmin = (admins: readonly UserId[], userId: UserId): void => {
  if (!admins.some((id) => id !== userId)) {
    throw new LastAdminError(
      'the last admin cannot lose the admin role, be suspended or be deleted',
    );
  }
};
