import t from 'tap';
import { auditTrailContract } from './support/contracts/audit-trail-contract.js';
import type { AdminHarness } from './support/contracts/admin-harness.js';
import { userDirectoryContract } from './support/contracts/user-directory-contract.js';
import {
  FixedClock,
  InMemoryAuditLog,
  InMemoryAuditTrail,
  InMemoryDatabase,
  InMemoryUserDirectory,
  InMemoryUserRepository,
  SequentialIds,
} from './support/in-memory/index.js';

const makeHarness = async (): Promise<AdminHarness> => {
  const db = new InMemoryDatabase();
  const clock = new FixedClock();
  const ids = new SequentialIds(clock);
  const access = db.autocommit();
  return {
    users: new InMemoryUserRepository(access),
    directory: new InMemoryUserDirectory(access),
    audit: new InMemoryAuditLog(access, ids, clock),
    trail: new InMemoryAuditTrail(access),
    clock,
    ids,
  };
};

await userDirectoryContract(t, makeHarness);
await auditTrailContract(t, makeHarness);
