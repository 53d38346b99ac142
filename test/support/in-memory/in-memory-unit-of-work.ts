import type { Clock, IdGenerator, TransactionRepositories, UnitOfWork } from '@latchkey/domain';
import { InMemoryAccountMail } from './in-memory-account-mail.js';
import { InMemoryAuditLog } from './in-memory-audit-log.js';
import { draftAccess, type InMemoryDatabase, type StateAccess } from './in-memory-database.js';
import { InMemoryOneTimeTokenRepository } from './in-memory-one-time-token-repository.js';
import {
  InMemoryPendingLinkRepository,
  InMemoryProviderIdentityRepository,
} from './in-memory-provider-identity-repository.js';
import { InMemoryRoleRepository } from './in-memory-role-repository.js';
import { InMemorySessionRepository } from './in-memory-session-repository.js';
import { InMemoryUserRepository } from './in-memory-user-repository.js';

/** The fake repositories bound to `access`. */
export const inMemoryRepositories = (
  access: StateAccess,
  ids: IdGenerator,
  clock: Clock,
): TransactionRepositories => ({
  users: new InMemoryUserRepository(access),
  sessions: new InMemorySessionRepository(access),
  roles: new InMemoryRoleRepository(access),
  audit: new InMemoryAuditLog(access, ids, clock),
  mail: new InMemoryAccountMail(access),
  tokens: new InMemoryOneTimeTokenRepository(access),
  identities: new InMemoryProviderIdentityRepository(access),
  pendingLinks: new InMemoryPendingLinkRepository(access),
});

/**
 * UnitOfWork over the fake database: the work runs on a snapshot that is committed when it
 * resolves and dropped when it throws. Transactions run one at a time.
 */
export class InMemoryUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: InMemoryDatabase,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  run<T>(work: (repos: TransactionRepositories) => Promise<T>): Promise<T> {
    return this.db.transaction((draft) =>
      work(inMemoryRepositories(draftAccess(draft), this.ids, this.clock)),
    );
  }
}
