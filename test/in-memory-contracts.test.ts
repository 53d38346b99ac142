import t from 'tap';
import { allContracts, type PortHarness } from './support/contracts/index.js';
import {
  FixedClock,
  InMemoryAuditLog,
  InMemoryDatabase,
  InMemoryOneTimeTokenRepository,
  InMemoryRoleRepository,
  InMemorySessionRepository,
  InMemorySignInRecorder,
  InMemorySigningKeyRepository,
  InMemoryUnitOfWork,
  InMemoryUserRepository,
  SequentialIds,
} from './support/in-memory/index.js';

const makeRepos = async (): Promise<PortHarness> => {
  const db = new InMemoryDatabase();
  const clock = new FixedClock();
  const ids = new SequentialIds(clock);
  const access = db.autocommit();
  return {
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
  };
};

await allContracts(t, makeRepos);
