import type { RequestContext, SessionId, UserId } from '@latchkey/domain';
import {
  InvalidCurrentPasswordError,
  checkPasswordPolicy,
  normalizePassword,
} from '@latchkey/domain';
import { requireLiveUser } from './current-user.js';
import type { AccountDeps } from './deps.js';

export interface ChangePasswordInput {
  readonly currentPassword?: string | undefined;
  readonly newPassword: string;
}

/**
 * Sets a new password. An account with a password must prove it; one without (made by a
 * provider) sets its first. Every other session ends; the calling one stays.
 */
export const changePassword =
  (deps: Pick<AccountDeps, 'users' | 'unitOfWork' | 'hasher' | 'clock'>) =>
  async (
    userId: UserId,
    sessionId: SessionId,
    input: ChangePasswordInput,
    context: RequestContext,
  ): Promise<void> => {
    const user = await requireLiveUser(deps.users, userId);
    if (user.passwordHash !== null) {
      const current = input.currentPassword;
      if (current === undefined || current.length === 0) throw new InvalidCurrentPasswordError();
      if (!(await deps.hasher.verify(user.passwordHash, normalizePassword(current)))) {
        throw new InvalidCurrentPasswordError();
      }
    }
    const password = checkPasswordPolicy(input.newPassword, user.email, '/newPassword');
    const passwordHash = await deps.hasher.hash(password);
    await deps.unitOfWork.run(async (repos) => {
      const now = deps.clock.now();
      // Applied to the row as locked now, so a concurrent admin change is not overwritten.
      const current = await requireLiveUser(repos.users, userId, true);
      const changed = { ...current, passwordHash, updatedAt: now };
      await repos.users.update(changed);
      await repos.sessions.revokeAllForUser(user.id, now, 'password_changed', sessionId);
      await repos.audit.record({
        type: 'user.password_changed',
        actorId: user.id,
        targetId: user.id,
        ...context,
        data: {},
      });
      await repos.mail.passwordChanged(changed, 'changed');
    });
  };
