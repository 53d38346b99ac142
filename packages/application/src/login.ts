import type { RequestContext, User } from '@latchkey/domain';
import {
  AccountSuspendedError,
  InvalidCredentialsError,
  RateLimitedError,
  ValidationError,
  canSignIn,
  emailKey,
  isDeleted,
  normalizePassword,
  passwordTooLong,
} from '@latchkey/domain';
import type { AccountDeps } from './deps.js';
import { openSession, tokenPair } from './session-tokens.js';
import type { TokenPair } from './types.js';

export interface LoginInput {
  readonly email: string;
  readonly password: string;
}

export interface LoginResult extends TokenPair {
  readonly user: User;
}

/**
 * Signs a user in. Every path that ends in invalid_credentials runs the hasher once, so the
 * answer takes the same time whether or not the account exists.
 */
export const login = (deps: AccountDeps) => {
  const fail = async (key: string, user: User | null, context: RequestContext): Promise<never> => {
    const lockedFor = await deps.throttle.recordFailure(key);
    await deps.unitOfWork.run((repos) =>
      repos.audit.record({
        type: lockedFor === null ? 'user.login_failed' : 'user.login_locked',
        actorId: null,
        targetId: user?.id ?? null,
        ...context,
        data: user === null ? { email: key.slice(0, 254) } : {},
      }),
    );
    throw new InvalidCredentialsError();
  };

  return async (input: LoginInput, context: RequestContext): Promise<LoginResult> => {
    if (passwordTooLong(input.password)) {
      throw new ValidationError([{ path: '/password', message: 'must be at most 128 characters' }]);
    }
    const key = emailKey(input.email);
    const retryAfter = await deps.throttle.check(key);
    if (retryAfter !== null) throw new RateLimitedError(retryAfter);

    const password = normalizePassword(input.password);
    const found = key.length > 0 ? await deps.users.findByEmail(input.email) : null;
    const user = found !== null && !isDeleted(found) ? found : null;
    if (user === null || user.passwordHash === null || password.length === 0) {
      await deps.hasher.verifyDummy(password);
      return fail(key, user, context);
    }
    if (!(await deps.hasher.verify(user.passwordHash, password))) return fail(key, user, context);
    if (!canSignIn(user)) throw new AccountSuspendedError();
    await deps.throttle.reset(key);

    const rehash = deps.hasher.needsRehash(user.passwordHash)
      ? await deps.hasher.hash(password)
      : null;
    const now = deps.clock.now();
    const signedIn: User = {
      ...user,
      lastLoginAt: now,
      passwordHash: rehash ?? user.passwordHash,
    };
    const { session, refreshToken, permissions } = await deps.unitOfWork.run(async (repos) => {
      await repos.users.update({ ...signedIn, updatedAt: rehash ? now : user.updatedAt });
      const opened = await openSession(deps, repos, signedIn, context);
      await repos.audit.record({
        type: 'user.login_succeeded',
        actorId: user.id,
        targetId: user.id,
        ...context,
        data: { sessionId: opened.session.id },
      });
      return { ...opened, permissions: await repos.roles.permissionsOf(user.roles) };
    });
    const pair = await tokenPair(deps, signedIn, permissions, session, refreshToken);
    return { ...pair, user: signedIn };
  };
};
