import { canSignIn } from '@latchkey/domain';
import type { AccountDeps } from './deps.js';
import { parseResetRequest } from './job-payloads.js';

/**
 * The `password_reset_requested` job: when the email names a live, unsuspended account, issues a
 * reset token and queues its mail to the address stored on the account (subject to the quota).
 * An unknown email does nothing.
 */
export const requestPasswordReset =
  (deps: Pick<AccountDeps, 'unitOfWork'>) =>
  async (payload: unknown): Promise<void> => {
    const { email } = parseResetRequest(payload);
    await deps.unitOfWork.run(async (repos) => {
      const user = await repos.users.findByEmail(email);
      if (user === null || !canSignIn(user)) return;
      const locked = await repos.users.findByIdForUpdate(user.id);
      if (locked !== null && canSignIn(locked)) await repos.mail.requestPasswordReset(locked);
    });
  };
