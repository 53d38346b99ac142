import type { AccountMail } from './account-mail.js';
import type { AuditLog } from './audit-log.js';
import type { OneTimeTokenRepository } from './one-time-token-repository.js';
import type {
  PendingLinkRepository,
  ProviderIdentityRepository,
} from './provider-identity-repository.js';
import type { RoleRepository } from './role-repository.js';
import type { SessionRepository } from './session-repository.js';
import type { UserRepository } from './user-repository.js';

/** The repositories of one transaction. */
export interface TransactionRepositories {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly roles: RoleRepository;
  readonly audit: AuditLog;
  readonly mail: AccountMail;
  readonly tokens: OneTimeTokenRepository;
  readonly identities: ProviderIdentityRepository;
  readonly pendingLinks: PendingLinkRepository;
}

/** Runs work in one transaction. */
export interface UnitOfWork {
  /**
   * Runs `work` with repositories bound to one transaction: everything commits together
   * when it resolves and rolls back together when it throws.
   */
  run<T>(work: (repos: TransactionRepositories) => Promise<T>): Promise<T>;
}
