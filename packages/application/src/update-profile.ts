import type { RequestContext, User, UserId } from '@latchkey/domain';
import {
  EmailTakenError,
  InvalidCurrentPasswordError,
  normalizePassword,
  parseEmail,
  sameEmail,
} from '@latchkey/domain';
import { requireLiveUser } from './current-user.js';
import type { AccountDeps } from './deps.js';

export interface UpdateProfileInput {
  readonly displayName?: string | null | undefined;
  readonly email?: string | undefined;
  readonly currentPassword?: string | undefined;
}

/**
 * Changes the display name at once; a new email goes to `pendingEmail` with a verification mail
 * to the new address, and replaces `email` once verified.
 */
export const updateProfile =
  (deps: Pick<AccountDeps, 'users' | 'unitOfWork' | 'hasher' | 'clock'>) =>
  async (userId: UserId, input: UpdateProfileInput, context: RequestContext): Promise<User> => {
    const user = await requireLiveUser(deps.users, userId);
    const now = deps.clock.now();
    let next: User = { ...user };
    if (input.displayName !== undefined) next = { ...next, displayName: input.displayName };

    let emailRequested = false;
    if (input.email !== undefined) {
      const email = parseEmail(input.email);
      if (sameEmail(email, user.email)) {
        next = { ...next, pendingEmail: null };
      } else if (user.pendingEmail === null || !sameEmail(email, user.pendingEmail)) {
        await requireCurrentPassword(deps, user, input.currentPassword);
        const holder = await deps.users.findByEmail(email);
        if (holder !== null && holder.id !== user.id) throw new EmailTakenError();
        next = { ...next, pendingEmail: email };
        emailRequested = true;
      }
    }
    return deps.unitOfWork.run(async (repos) => {
      // Applied to the row as locked now, so a concurrent admin change is not overwritten.
      const current = await requireLiveUser(repos.users, userId, true);
      next = {
        ...current,
        displayName: next.displayName,
        pendingEmail: next.pendingEmail,
        updatedAt: now,
      };
      await repos.users.update(next);
      await repos.audit.record({
        type: emailRequested ? 'user.email_change_requested' : 'user.updated',
        actorId: user.id,
        targetId: user.id,
        ...context,
        data: {},
      });
      if (emailRequested) await repos.mail.requestVerification(next, 'verify_email_change');
      return next;
    });
  };

const requireCurrentPassword = async (
  deps: Pick<AccountDeps, 'hasher'>,
  user: User,
  currentPassword: string | undefined,
): Promise<void> => {
  if (user.passwordHash === null) return;
  if (currentPassword === undefined || currentPassword.length === 0) {
    throw new InvalidCurrentPasswordError();
  }
  if (!(await deps.hasher.verify(user.passwordHash, normalizePassword(currentPassword)))) {
    throw new InvalidCurrentPasswordError();
  }
};
