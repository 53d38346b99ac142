import type {
  OneTimeToken,
  OneTimeTokenPurpose,
  RequestContext,
  TransactionRepositories,
  User,
} from '@latchkey/domain';
import {
  EmailTakenError,
  InvalidTokenError,
  isDeleted,
  isRepeatableVerification,
  markVerified,
  sameEmail,
} from '@latchkey/domain';
import type { AccountDeps } from './deps.js';

const VERIFY_PURPOSES: readonly OneTimeTokenPurpose[] = ['verify_account', 'verify_email_change'];

type Outcome = { readonly kind: 'verified'; readonly user: User } | { readonly kind: 'taken' };

/** The pending address was taken by another account between the check and the write. */
class PendingEmailRace extends Error {
  constructor(
    readonly userId: string,
    readonly pendingEmail: string,
  ) {
    super('pending email taken');
  }
}

const verifyAccount = async (
  repos: TransactionRepositories,
  user: User,
  token: OneTimeToken,
  now: Date,
  context: RequestContext,
): Promise<Outcome> => {
  // The token proves the address it was sent to; an address changed since then is not proven.
  if (token.email === null || !sameEmail(token.email, user.email)) throw new InvalidTokenError();
  if (user.emailVerifiedAt !== null && user.status !== 'unverified')
    return { kind: 'verified', user };
  const verified = markVerified(user, now);
  await repos.users.update(verified);
  await repos.audit.record({
    type: 'user.email_verified',
    actorId: user.id,
    targetId: user.id,
    ...context,
    data: { purpose: token.purpose },
  });
  return { kind: 'verified', user: verified };
};

const dropPendingEmail = async (
  repos: TransactionRepositories,
  user: User,
  now: Date,
  context: RequestContext,
): Promise<Outcome> => {
  await repos.users.update({ ...user, pendingEmail: null, updatedAt: now });
  await repos.tokens.supersede(user.id, ['verify_email_change'], now);
  await repos.audit.record({
    type: 'user.updated',
    actorId: null,
    targetId: user.id,
    ...context,
    data: { pendingEmailDropped: 'email_taken' },
  });
  return { kind: 'taken' };
};

const applyEmailChange = async (
  repos: TransactionRepositories,
  user: User,
  token: OneTimeToken,
  now: Date,
  context: RequestContext,
): Promise<Outcome> => {
  const pending = user.pendingEmail;
  if (pending === null || token.email === null || !sameEmail(pending, token.email)) {
    throw new InvalidTokenError();
  }
  const holder = await repos.users.findByEmail(pending);
  if (holder !== null && holder.id !== user.id) return dropPendingEmail(repos, user, now, context);
  const changed: User = {
    ...user,
    email: pending,
    pendingEmail: null,
    status: user.status === 'unverified' ? 'active' : user.status,
    emailVerifiedAt: now,
    updatedAt: now,
  };
  try {
    await repos.users.update(changed);
  } catch (error) {
    if (error instanceof EmailTakenError) throw new PendingEmailRace(user.id, pending);
    throw error;
  }
  // Links sent to the old address die with it.
  await repos.tokens.supersede(user.id, ['verify_account', 'password_reset'], now);
  await repos.audit.record({
    type: 'user.email_verified',
    actorId: user.id,
    targetId: user.id,
    ...context,
    data: { purpose: token.purpose },
  });
  await repos.mail.emailChanged(changed, user.email);
  return { kind: 'verified', user: changed };
};

/**
 * Follows a verification link. An account token activates the account; an email-change token
 * replaces the email with the pending one (and notifies the old address), or drops the pending
 * change with EmailTakenError when another account took the address meanwhile. The token is
 * consumed atomically: of concurrent redemptions one changes state, and a used, unexpired token
 * answers with the user again. Unknown, expired or superseded tokens are InvalidTokenError.
 */
export const verifyEmail = (deps: Pick<AccountDeps, 'unitOfWork' | 'secrets' | 'clock'>) => {
  const redeem = (tokenHash: string, context: RequestContext) =>
    deps.unitOfWork.run(async (repos): Promise<Outcome> => {
      const now = deps.clock.now();
      const token = await repos.tokens.consume(tokenHash, VERIFY_PURPOSES, now);
      if (token === null) {
        const known = await repos.tokens.find(tokenHash);
        if (known !== null && isRepeatableVerification(known, now)) {
          const user = await repos.users.findById(known.userId);
          if (user !== null && !isDeleted(user)) return { kind: 'verified', user };
        }
        throw new InvalidTokenError();
      }
      const user = await repos.users.findByIdForUpdate(token.userId);
      if (user === null || isDeleted(user)) throw new InvalidTokenError();
      return token.purpose === 'verify_account'
        ? verifyAccount(repos, user, token, now, context)
        : applyEmailChange(repos, user, token, now, context);
    });

  const dropAfterRace = (race: PendingEmailRace, context: RequestContext) =>
    deps.unitOfWork.run(async (repos) => {
      const user = await repos.users.findByIdForUpdate(race.userId);
      if (user?.pendingEmail != null && sameEmail(user.pendingEmail, race.pendingEmail)) {
        await dropPendingEmail(repos, user, deps.clock.now(), context);
      }
    });

  return async (token: string, context: RequestContext): Promise<User> => {
    let outcome: Outcome;
    try {
      outcome = await redeem(deps.secrets.hash(token), context);
    } catch (error) {
      if (!(error instanceof PendingEmailRace)) throw error;
      await dropAfterRace(error, context);
      throw new EmailTakenError();
    }
    if (outcome.kind === 'taken') throw new EmailTakenError();
    return outcome.user;
  };
};
