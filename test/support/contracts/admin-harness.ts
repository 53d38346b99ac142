import type {
  AuditLog,
  AuditTrail,
  IdGenerator,
  UserDirectory,
  UserRepository,
} from '@latchkey/domain';
import type { FixedClock } from '../in-memory/index.js';

/** The ports of the administrators' lists, over an empty store (default roles only). */
export interface AdminHarness {
  readonly users: UserRepository;
  readonly directory: UserDirectory;
  readonly audit: AuditLog;
  readonly trail: AuditTrail;
  readonly clock: FixedClock;
  readonly ids: IdGenerator;
}

export type MakeAdminHarness = () => Promise<AdminHarness>;
