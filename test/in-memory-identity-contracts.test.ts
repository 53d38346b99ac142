import t from 'tap';
import { providerIdentityContract } from './support/contracts/provider-identity-contract.js';
import {
  FixedClock,
  InMemoryAuditLog,
  InMemoryDatabase,
  InMemoryOAuthStateStore,
  InMemoryOneTimeTokenRepository,
  InMemoryPendingLinkRepository,
  InMemoryProviderIdentityRepository,
  InMemoryRoleRepository,
  InMemorySessionRepository,
  InMemorySignInRecorder,
  InMemorySigningKeyRepository,
  InMemoryUnitOfWork,
  InMemoryUserRepository,
  SequentialIds,
} from './support/in-memory/index.js';

await providerIdentityContract(t, async () => {
  const db = new InMemoryDatabase();
  const clock = new FixedClock();
  const ids = new SequentialIds(clock);
  const access = db.autocommit();
  return {
    base: {
      users: new InMemoryUserRepository(access),
      sessions: new InMemorySessionRepository(access),
      roles: new InMemoryRoleRepository(access),
      audit: new InMemoryAuditLog(access, ids, clock),
      signingKeys: new InMemorySigningKeyRepository(access),
      tokens: new InMemoryOneTimeTokenRepository(access),
      unitOfWork: new InMemoryUnitOfWork(db, ids, clock),
      signIns: new InMemorySignInRecorder(access, ids, clock),
      clock,
      ids,
      auditEvents: async () => structuredClone(db.committed.audit),
      blockedTransactions: async () => db.waitingTransactions,
    },
    identities: new InMemoryProviderIdentityRepository(access),
    pendingLinks: new InMemoryPendingLinkRepository(access),
    states: new InMemoryOAuthStateStore(),
  };
});
