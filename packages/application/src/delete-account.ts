import type { RequestContext, TransactionRepositories, User } from '@latchkey/domain';
import { ADMIN_ROLE, LastAdminError } from '@latchkey/domain';
import { requireLiveUser } from './current-user.js';
import type { AccountDeps } from './deps.js';

/**
 * Throws LastAdminError when `user` is the only live, unsuspended admin. Locks the admins'
 * rows first, so two admins removing each other at once cannot both succeed.
 */
export const guardLastAdmin = async (repos: TransactionRepositories, user: User): Promise<void> => {
  if (!user.roles.includes(ADMIN_ROLE)) return;
  // Twice: see lockActiveAdmins (a role removed while we waited is seen by the second read).
  await repos.users.lockActiveAdmins();
  const admins = await repos.users.lockActiveAdmins();
  if (admins.length <= 1 && admins.includes(user.id)) throw new LastAdminError();
};

/** Soft-deletes the caller's account and revokes every session. */
export const deleteAccount =
  (deps: Pick<AccountDeps, 'users' | 'unitOfWork' | 'clock'>) =>
  async (userId: string, context: RequestContext): Promise<User> =>
    deps.unitOfWork.run(async (repos) => {
      // Admins first (guardLastAdmin locks them in id order), then the row: one lock order.
      await guardLastAdmin(repos, await requireLiveUser(repos.users, userId));
      const user = await requireLiveUser(repos.users, userId, true);
      const now = deps.clock.now();
      const deleted: User = { ...user, deletedAt: now, updatedAt: now };
      await repos.users.update(deleted);
      await repos.sessions.revokeAllForUser(user.id, now, 'account_deleted');
      await repos.audit.record({
        type: 'user.deleted',
        actorId: user.id,
        targetId: user.id,
        ...context,
        data: {},
      });
      return deleted;
    });
