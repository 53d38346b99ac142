import type { RequestContext, UserId } from '@latchkey/domain';
import { AlreadyVerifiedError } from '@latchkey/domain';
import { requireLiveUser } from './current-user.js';
import type { AccountDeps } from './deps.js';

/**
 * Mails the pending verification again: the account's while it is `unverified`, else the pending
 * email's. A newer token supersedes the older ones; the per-account quota may silently skip the
 * mail. @throws AlreadyVerifiedError when nothing is pending.
 */
export const resendVerification =
  (deps: Pick<AccountDeps, 'unitOfWork'>) =>
  async (userId: UserId, _context: RequestContext): Promise<void> => {
    await deps.unitOfWork.run(async (repos) => {
      const user = await requireLiveUser(repos.users, userId);
      if (user.status === 'unverified') {
        await repos.mail.requestVerification(user, 'verify_account');
      } else if (user.pendingEmail !== null) {
        await repos.mail.requestVerification(user, 'verify_email_change');
      } else {
        throw new AlreadyVerifiedError('nothing to verify');
      }
    });
  };
