import type { RequestContext, User } from '@latchkey/domain';
import { DEFAULT_ROLE, EmailTakenError, checkPasswordPolicy, parseEmail } from '@latchkey/domain';
import type { AccountDeps } from './deps.js';

export interface RegisterInput {
  readonly email: string;
  readonly password: string;
  readonly displayName?: string | undefined;
}

/** Creates an `unverified` account with the `user` role and queues its verification mail. */
export const registerUser =
  (deps: Pick<AccountDeps, 'users' | 'unitOfWork' | 'hasher' | 'clock' | 'ids' | 'events'>) =>
  async (input: RegisterInput, context: RequestContext): Promise<User> => {
    const email = parseEmail(input.email);
    const password = checkPasswordPolicy(input.password, email);
    // Cheap early answer; the unique index still decides races (EmailTakenError from insert).
    if (await deps.users.findByEmail(email)) throw new EmailTakenError();
    const passwordHash = await deps.hasher.hash(password);
    const now = deps.clock.now();
    const user: User = {
      id: deps.ids.newId(),
      email,
      pendingEmail: null,
      displayName: input.displayName ?? null,
      status: 'unverified',
      passwordHash,
      roles: [DEFAULT_ROLE],
      emailVerifiedAt: null,
      lastLoginAt: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const created = await deps.unitOfWork.run(async (repos) => {
      await repos.users.insert(user);
      await repos.audit.record({
        type: 'user.registered',
        actorId: user.id,
        targetId: user.id,
        ...context,
        data: {},
      });
      await repos.mail.requestVerification(user, 'verify_account');
      return user;
    });
    deps.events?.emit({ type: 'registration' });
    return created;
  };
