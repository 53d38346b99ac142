import type { RequestContext, User, UserId } from '@latchkey/domain';
import { AlreadyDeletedError, NotFoundError, isDeleted, losesActiveAdmin } from '@latchkey/domain';
import {
  assertAnotherAdmin,
  lockActiveAdmins,
  toAdminUser,
  type Actor,
  type AdminDeps,
  type AdminUser,
} from './admin-deps.js';

/**
 * Soft-deletes a user as an administrator and revokes every session, in one transaction with
 * its audit event. The email stays taken until the account is anonymised.
 * @throws NotFoundError; AlreadyDeletedError; LastAdminError for the last active admin
 */
export const adminDeleteUser =
  (deps: Pick<AdminDeps, 'unitOfWork' | 'clock' | 'permissionCache'>) =>
  async (actor: Actor, id: UserId, context: RequestContext): Promise<AdminUser> => {
    const deleted = await deps.unitOfWork.run(async (repos) => {
      const catalogue = await repos.roles.list();
      const admins = await lockActiveAdmins(repos);
      const user = await repos.users.findByIdForUpdate(id);
      if (user === null) throw new NotFoundError('user not found');
      if (isDeleted(user)) throw new AlreadyDeletedError('the user is already deleted');
      const now = deps.clock.now();
      const after: User = { ...user, deletedAt: now, updatedAt: now };
      if (losesActiveAdmin(user, after)) assertAnotherAdmin(admins, user.id);
      await repos.users.update(after);
      await repos.sessions.revokeAllForUser(user.id, now, 'deleted_by_admin');
      await repos.audit.record({
        type: 'admin.user_deleted',
        actorId: actor.userId,
        targetId: user.id,
        ...context,
        data: {},
      });
      return toAdminUser(after, catalogue);
    });
    await deps.permissionCache.invalidate(id);
    return deleted;
  };
