import type {
  adminDeleteUser,
  adminGetUser,
  adminListUsers,
  adminRestoreUser,
  adminUpdateUser,
  listAuditEvents,
  listRoles,
} from '@latchkey/application';

/** The administration use cases the admin routes call, built by the composition root. */
export interface AdminUseCases {
  readonly listUsers: ReturnType<typeof adminListUsers>;
  readonly getUser: ReturnType<typeof adminGetUser>;
  readonly updateUser: ReturnType<typeof adminUpdateUser>;
  readonly deleteUser: ReturnType<typeof adminDeleteUser>;
  readonly restoreUser: ReturnType<typeof adminRestoreUser>;
  readonly listRoles: ReturnType<typeof listRoles>;
  readonly listAuditEvents: ReturnType<typeof listAuditEvents>;
}
