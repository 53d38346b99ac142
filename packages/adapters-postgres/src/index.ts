export { createKysely, createPool, isDatabaseUnavailableError, pingDatabase } from './pool.js';
export { checkDatabase } from './database-check.js';
export type { PoolOptions } from './pool.js';
export {
  defaultMigrationsFolder,
  MigrationError,
  migrateDown,
  migrateToLatest,
  migrationStatus,
} from './migrator.js';
export type { MigrationOptions, MigrationStatus } from './migrator.js';
export type {
  AuditEventRow,
  AuditEventsTable,
  Database,
  NewSessionRow,
  NewUserRow,
  PermissionsTable,
  RefreshTokenRow,
  RefreshTokensTable,
  RolePermissionsTable,
  RoleRow,
  RolesTable,
  SessionRow,
  SessionsTable,
  SigningKeyRow,
  SigningKeysTable,
  UserRolesTable,
  UserRow,
  UsersTable,
  UserUpdate,
} from './database.js';
export { isForeignKeyViolation, isUniqueViolation, isUuid } from './driver-errors.js';
export { PostgresUserRepository, toUser, toUserRow } from './postgres-user-repository.js';
export { StatementCache } from './statement-cache.js';
export {
  PostgresSessionRepository,
  toRefreshToken,
  toSession,
} from './postgres-session-repository.js';
export { PostgresRoleRepository } from './postgres-role-repository.js';
export { PostgresAuditLog } from './postgres-audit-log.js';
export { PostgresSignInRecorder } from './postgres-sign-in-recorder.js';
export {
  PostgresSigningKeyRepository,
  toStoredSigningKey,
} from './postgres-signing-key-repository.js';
export {
  PostgresUnitOfWork,
  postgresRepositories,
  type AccountMailFactory,
} from './postgres-unit-of-work.js';
export type {
  JobWorkerHeartbeatsTable,
  MailLogTable,
  OneTimeTokenRow,
  OneTimeTokensTable,
} from './database.js';
export {
  PostgresOneTimeTokenRepository,
  toOneTimeToken,
} from './postgres-one-time-token-repository.js';
export { PostgresMailLog } from './postgres-mail-log.js';
export { PostgresJobQueue, DEFAULT_MAX_ATTEMPTS } from './postgres-job-queue.js';
export { postgresAccountMail, type PostgresAccountMailOptions } from './postgres-account-mail.js';
export { PostgresHousekeeping } from './postgres-housekeeping.js';
export {
  startJobWorker,
  unlockDeadWorkers,
  type JobContext,
  type JobHandler,
  type JobWorker,
  type JobWorkerLog,
  type JobWorkerOptions,
  type ScheduledTask,
} from './job-worker.js';
export {
  installJobQueueSchema,
  jobQueueStatus,
  retryJob,
  type FailedJob,
  type JobQueueStatus,
} from './job-admin.js';
export type {
  OAuthPendingLinksTable,
  OAuthStatesTable,
  PendingLinkRow,
  UserAuthProviderRow,
  UserAuthProvidersTable,
} from './database.js';
export {
  PostgresPendingLinkRepository,
  PostgresProviderIdentityRepository,
  toPendingLink,
  toProviderIdentity,
} from './postgres-provider-identity-repository.js';
export { PostgresOAuthStateStore } from './postgres-oauth-state-store.js';
export { PostgresUserDirectory } from './postgres-user-directory.js';
export { PostgresAuditTrail, toAuditRecord } from './postgres-audit-trail.js';
export {
  seedRoleCatalogue,
  seedSyntheticUsers,
  type CatalogueSeedResult,
  type SyntheticUsersOptions,
} from './postgres-seeder.js';
