import type { User, UserId, UserRepository } from '@latchkey/domain';
import { UserGoneError, isDeleted } from '@latchkey/domain';

/**
 * @returns the live user, or throws UserGoneError (a NotFoundError): the caller's token outlived
 * the account by at most the session guard's cache time.
 */
export const requireLiveUser = async (
  users: UserRepository,
  id: UserId,
  forUpdate = false,
): Promise<User> => {
  const user = forUpdate ? await users.findByIdForUpdate(id) : await users.findById(id);
  if (user === null || isDeleted(user)) throw new UserGoneError('user not found');
  return user;
};

/** Returns the caller's own account. */
export const getProfile =
  (deps: { users: UserRepository }) =>
  (userId: UserId): Promise<User> =>
    requireLiveUser(deps.users, userId);
