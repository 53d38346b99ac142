import type { UserId } from '@latchkey/domain';
import { NotFoundError } from '@latchkey/domain';
import { toAdminUser, type AdminDeps, type AdminUser } from './admin-deps.js';

/** Reads one user for administrators, soft-deleted ones too. @throws NotFoundError */
export const adminGetUser =
  (deps: Pick<AdminDeps, 'users' | 'roles'>) =>
  async (id: UserId): Promise<AdminUser> => {
    const user = await deps.users.findById(id);
    if (user === null) throw new NotFoundError('user not found');
    return toAdminUser(user, await deps.roles.list());
  };
