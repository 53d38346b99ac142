export * from './harness.js';
export { userRepositoryContract } from './user-repository-contract.js';
export { sessionRepositoryContract } from './session-repository-contract.js';
export { roleRepositoryContract } from './role-repository-contract.js';
export { auditLogContract } from './audit-log-contract.js';
export { unitOfWorkContract } from './unit-of-work-contract.js';
export { signingKeyRepositoryContract } from './signing-key-repository-contract.js';
export { oneTimeTokenRepositoryContract } from './one-time-token-repository-contract.js';
export { signInRecorderContract } from './sign-in-recorder-contract.js';

import type { MakeHarness, TapTest } from './harness.js';
import { auditLogContract } from './audit-log-contract.js';
import { oneTimeTokenRepositoryContract } from './one-time-token-repository-contract.js';
import { roleRepositoryContract } from './role-repository-contract.js';
import { sessionRepositoryContract } from './session-repository-contract.js';
import { signInRecorderContract } from './sign-in-recorder-contract.js';
import { signingKeyRepositoryContract } from './signing-key-repository-contract.js';
import { unitOfWorkContract } from './unit-of-work-contract.js';
import { userRepositoryContract } from './user-repository-contract.js';

/** Runs every contract suite against one implementation. */
export const allContracts = async (t: TapTest, makeRepos: MakeHarness): Promise<void> => {
  await userRepositoryContract(t, makeRepos);
  await sessionRepositoryContract(t, makeRepos);
  await roleRepositoryContract(t, makeRepos);
  await auditLogContract(t, makeRepos);
  await unitOfWorkContract(t, makeRepos);
  await signingKeyRepositoryContract(t, makeRepos);
  await oneTimeTokenRepositoryContract(t, makeRepos);
  await signInRecorderContract(t, makeRepos);
};
