import type { AuditEvent, LoginOutcome, RequestContext, Session, User } from '@latchkey/domain';
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
import { permissionsFor } from './permissions-for.js';
import { newSession, openSession, tokenPair } from './session-tokens.js';
import type { TokenPair } from './types.js';

export interface LoginInput {
  readonly email: string;
  readonly password: string;
}

export interface LoginResult extends TokenPair {
  readonly user: User;
}

/** The audit event of a sign-in that opened `session`. */
const loginSucceeded = (user: User, session: Session, context: RequestContext): AuditEvent => ({
  type: 'user.login_succeeded',
  actorId: user.id,
  targetId: user.id,
  ...context,
  data: { sessionId: session.id },
});

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

  /**
   * The common case in one write and no transaction: nothing about the user changed while the
   * password was checked, so what was read before is current. @returns null when it changed.
   */
  const signInUnchanged = async (
    user: User,
    context: RequestContext,
  ): Promise<LoginResult | null> => {
    const now = deps.clock.now();
    const signedIn: User = { ...user, lastLoginAt: now };
    const { session, refreshToken } = newSession(deps, signedIn, context);
    const permissions = await permissionsFor(deps.permissionCache, deps.roles, signedIn);
    // Signed before the write, for the reason given in the transaction below: a role change
    // that waits for the write's row lock then invalidates this session's tokens.
    const pair = await tokenPair(deps, signedIn, permissions, session, refreshToken);
    const recorded = await deps.signIns.recordIfUnchanged({
      user,
      at: now,
      session,
      refreshTokenHash: deps.secrets.hash(refreshToken),
      event: loginSucceeded(user, session, context),
    });
    return recorded ? { ...pair, user: signedIn } : null;
  };

  const attempt = async (input: LoginInput, context: RequestContext): Promise<LoginResult> => {
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
    if (!canSignIn(user)) {
      // A failed login too (right password, suspended account): audited, not throttled.
      await deps.unitOfWork.run((repos) =>
        repos.audit.record({
          type: 'user.login_failed',
          actorId: null,
          targetId: user.id,
          ...context,
          data: { reason: 'account_suspended' },
        }),
      );
      throw new AccountSuspendedError();
    }
    await deps.throttle.reset(key);

    const rehash = deps.hasher.needsRehash(user.passwordHash)
      ? await deps.hasher.hash(password)
      : null;
    if (rehash === null) {
      const unchanged = await signInUnchanged(user, context);
      if (unchanged !== null) return unchanged;
    }
    // The user changed meanwhile, or its hash is upgraded: a transaction on the current row.
    return deps.unitOfWork.run(async (repos) => {
      const now = deps.clock.now();
      // Stamped (which row-locks it), then read afresh: an admin's concurrent suspension,
      // deletion or role change is neither overwritten nor missed (see lockActiveAdmins for why
      // the second read). A refusal below rolls the stamp back.
      await repos.users.recordSignIn(user.id, now);
      const current = await repos.users.findById(user.id);
      if (current === null || isDeleted(current)) throw new InvalidCredentialsError();
      if (!canSignIn(current)) throw new AccountSuspendedError();
      // A password changed meanwhile is kept: the rehash is of the old one.
      const upgrade = rehash !== null && current.passwordHash === user.passwordHash ? rehash : null;
      const signedIn: User = upgrade
        ? { ...current, lastLoginAt: now, passwordHash: upgrade, updatedAt: now }
        : { ...current, lastLoginAt: now };
      if (upgrade) await repos.users.update(signedIn);
      const opened = await openSession(deps, repos, signedIn, context);
      await repos.audit.record(loginSucceeded(user, opened.session, context));
      const permissions = await permissionsFor(deps.permissionCache, repos.roles, signedIn);
      // Signed before commit: a role change waits for this user row, then stamps a later
      // tokensValidFrom, so this token cannot outlive it with the old perms.
      const pair = await tokenPair(
        deps,
        signedIn,
        permissions,
        opened.session,
        opened.refreshToken,
      );
      return { ...pair, user: signedIn };
    });
  };

  return async (input: LoginInput, context: RequestContext): Promise<LoginResult> => {
    try {
      const result = await attempt(input, context);
      deps.events?.emit({ type: 'login', outcome: 'success' });
      return result;
    } catch (error) {
      const outcome = loginOutcomeOf(error);
      if (outcome !== null) deps.events?.emit({ type: 'login', outcome });
      throw error;
    }
  };
};

/** @returns how a failed login ended, for metrics; null for a malformed or failed request. */
const loginOutcomeOf = (error: unknown): LoginOutcome | null =>
  error instanceof InvalidCredentialsError
    ? 'invalid_credentials'
    : error instanceof AccountSuspendedError
      ? 'suspended'
      : error instanceof RateLimitedError
        ? 'locked'
        : null;
