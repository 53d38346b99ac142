import type { RequestContext, User } from '@latchkey/domain';
import {
  InvalidTokenError,
  checkPasswordPolicy,
  emailKey,
  isDeleted,
  isRedeemable,
  markVerified,
} from '@latchkey/domain';
import type { AccountDeps } from './deps.js';

export interface ResetPasswordInput {
  readonly token: string;
  readonly password: string;
}

/**
 * Sets a new password with a reset token. The token is checked, the policy applied and the
 * password hashed first; then, in one transaction, the token is consumed atomically (of
 * concurrent redemptions exactly one succeeds), every session is revoked, every other reset
 * token dies, the event is audited and a notice queued. The mail proved control of the address,
 * so an `unverified` account becomes `active`.
 */
export const resetPassword =
  (deps: Pick<AccountDeps, 'users' | 'unitOfWork' | 'hasher' | 'secrets' | 'clock' | 'throttle'>) =>
  async (input: ResetPasswordInput, context: RequestContext): Promise<void> => {
    const tokenHash = deps.secrets.hash(input.token);
    const peek = await deps.unitOfWork.run((repos) => repos.tokens.find(tokenHash));
    if (
      peek === null ||
      peek.purpose !== 'password_reset' ||
      !isRedeemable(peek, deps.clock.now())
    ) {
      throw new InvalidTokenError();
    }
    const owner = await deps.users.findById(peek.userId);
    if (owner === null || isDeleted(owner)) throw new InvalidTokenError();
    const password = checkPasswordPolicy(input.password, owner.email);
    const passwordHash = await deps.hasher.hash(password);

    await deps.unitOfWork.run(async (repos) => {
      const now = deps.clock.now();
      const token = await repos.tokens.consume(tokenHash, ['password_reset'], now);
      if (token === null) throw new InvalidTokenError();
      const user = await repos.users.findByIdForUpdate(token.userId);
      if (user === null || isDeleted(user)) throw new InvalidTokenError();
      const changed: User = { ...markVerified(user, now), passwordHash, updatedAt: now };
      await repos.users.update(changed);
      await repos.sessions.revokeAllForUser(user.id, now, 'password_reset');
      await repos.tokens.supersede(user.id, ['password_reset'], now, tokenHash);
      await repos.audit.record({
        type: 'user.password_reset',
        actorId: user.id,
        targetId: user.id,
        ...context,
        data: {},
      });
      await repos.mail.passwordChanged(changed, 'reset');
    });
    // The owner proved the address: a lockout left by someone guessing the old password ends.
    await deps.throttle.reset(emailKey(owner.email));
  };
