export {
  InMemoryDatabase,
  draftAccess,
  type InMemoryState,
  type MailCall,
  type StateAccess,
  type StoredAuditEvent,
  type StoredSession,
} from './in-memory-database.js';
export { InMemoryUserRepository } from './in-memory-user-repository.js';
export { InMemorySessionRepository } from './in-memory-session-repository.js';
export { InMemoryRoleRepository } from './in-memory-role-repository.js';
export { InMemoryAuditLog } from './in-memory-audit-log.js';
export { InMemorySignInRecorder } from './in-memory-sign-in-recorder.js';
export { InMemoryAccountMail } from './in-memory-account-mail.js';
export { InMemoryUnitOfWork, inMemoryRepositories } from './in-memory-unit-of-work.js';
export { InMemoryOneTimeTokenRepository } from './in-memory-one-time-token-repository.js';
export { InMemorySigningKeyRepository } from './in-memory-signing-key-repository.js';
export { FixedClock } from './fixed-clock.js';
export { SequentialIds, UUID_V7_PATTERN } from './sequential-ids.js';
export { FakeSecretTokens } from './fake-secret-tokens.js';
export { FakePasswordHasher } from './fake-password-hasher.js';
export { FakeAccessTokenIssuer } from './fake-access-token-issuer.js';
export {
  InMemoryLoginThrottle,
  type InMemoryLoginThrottleOptions,
} from './in-memory-login-throttle.js';
export {
  DEFAULT_TEST_SETTINGS,
  makeAccountDeps,
  type MakeAccountDepsOptions,
  type SeedUserInput,
  type TestAccountDeps,
} from './make-account-deps.js';
export { InMemoryMailLog } from './in-memory-mail-log.js';
export { InMemoryJobQueue, type QueuedJob } from './in-memory-job-queue.js';
export { RecordingMailer } from './recording-mailer.js';
export {
  InMemoryOAuthStateStore,
  InMemoryPendingLinkRepository,
  InMemoryProviderIdentityRepository,
} from './in-memory-provider-identity-repository.js';
export { InMemoryUserDirectory } from './in-memory-user-directory.js';
export { InMemoryAuditTrail } from './in-memory-audit-trail.js';
export { RecordingAuthEvents } from './recording-auth-events.js';
