import type { RequestContext, User, UserId } from '@latchkey/domain';
import { NotDeletedError, NotFoundError, isDeleted } from '@latchkey/domain';
import { toAdminUser, type Actor, type AdminDeps, type AdminUser } from './admin-deps.js';

/**
 * Restores a soft-deleted user, in one transaction with its audit event. Its sessions stay
 * revoked: the user signs in again.
 * @throws NotFoundError; NotDeletedError when the user is live
 */
export const adminRestoreUser =
  (deps: Pick<AdminDeps, 'unitOfWork' | 'clock'>) =>
  async (actor: Actor, id: UserId, context: RequestContext): Promise<AdminUser> =>
    deps.unitOfWork.run(async (repos) => {
      const catalogue = await repos.roles.list();
      const user = await repos.users.findByIdForUpdate(id);
      if (user === null) throw new NotFoundError('user not found');
      if (!isDeleted(user)) throw new NotDeletedError('the user is not deleted');
      const now = deps.clock.now();
      const restored: User = { ...user, deletedAt: null, updatedAt: now };
      await repos.users.update(restored);
      await repos.audit.record({
        type: 'admin.user_restored',
        actorId: actor.userId,
        targetId: user.id,
        ...context,
        data: {},
      });
      return toAdminUser(restored, catalogue);
    });
