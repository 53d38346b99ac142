import type {
  AuthProviderName,
  ProviderIdentity,
  ProviderProfile,
  RequestContext,
  TransactionRepositories,
  User,
  UserId,
} from '@latchkey/domain';
import {
  DEFAULT_ROLE,
  EmailTakenError,
  ONE_TIME_TOKEN_PURPOSES,
  canSignIn,
  isDeleted,
  linkDecision,
  markVerified,
  sameEmail,
} from '@latchkey/domain';
import { failed, type OAuthDeps, type OAuthFlow, type OAuthOutcome } from './oauth-types.js';
import { permissionsFor } from './permissions-for.js';
import { openSession, tokenPair } from './session-tokens.js';

/** @returns the failure a user who cannot sign in meets, or null when they can. */
const barred = (user: User | null): OAuthOutcome | null => {
  if (user === null || isDeleted(user)) return failed('account_unavailable');
  if (!canSignIn(user)) return failed('account_suspended');
  return null;
};

/** Row-locks the user, then reads it afresh (see login: nothing changed meanwhile is missed). */
const lockUser = async (repos: TransactionRepositories, id: UserId): Promise<User | null> => {
  await repos.users.findByIdForUpdate(id);
  return repos.users.findById(id);
};

const identityOf = (
  user: User,
  provider: AuthProviderName,
  profile: ProviderProfile,
  now: Date,
): ProviderIdentity => ({
  userId: user.id,
  provider,
  subject: profile.subject,
  email: profile.email,
  emailVerified: profile.emailVerified,
  linkedAt: now,
});

/** Opens a session for `user` (in the transaction), records the sign-in, signs the tokens. */
const signIn = async (
  deps: OAuthDeps,
  repos: TransactionRepositories,
  user: User,
  flow: OAuthFlow,
  context: RequestContext,
  created = false,
): Promise<OAuthOutcome> => {
  const now = deps.clock.now();
  const signedIn: User = { ...user, lastLoginAt: now };
  await repos.users.update(signedIn);
  const opened = await openSession(deps, repos, signedIn, context);
  await repos.audit.record({
    type: 'oauth.login',
    actorId: user.id,
    targetId: user.id,
    ...context,
    data: { provider: flow.provider, sessionId: opened.session.id },
  });
  const permissions = await permissionsFor(deps.permissionCache, repos.roles, signedIn);
  // Signed before commit, as in login: a concurrent role change cannot be outlived.
  const tokens = await tokenPair(deps, signedIn, permissions, opened.session, opened.refreshToken);
  return { kind: 'signed_in', redirectTo: flow.redirectTo, user: signedIn, tokens, created };
};

const recordLink = (
  repos: TransactionRepositories,
  user: User,
  provider: AuthProviderName,
  context: RequestContext,
  data: Record<string, unknown>,
): Promise<void> =>
  repos.audit.record({
    type: 'oauth.linked',
    actorId: user.id,
    targetId: user.id,
    ...context,
    data: { provider, ...data },
  });

/**
 * Links the provider identity to `user` and audits it. When a concurrent callback linked that
 * identity meanwhile, throws, so the transaction rolls back and the flow decides again.
 */
const linkIdentity = async (
  repos: TransactionRepositories,
  user: User,
  flow: OAuthFlow,
  profile: ProviderProfile,
  now: Date,
  context: RequestContext,
  data: Record<string, unknown>,
): Promise<void> => {
  if (!(await repos.identities.insert(identityOf(user, flow.provider, profile, now)))) {
    throw new EmailTakenError('identity linked concurrently');
  }
  await recordLink(repos, user, flow.provider, context, data);
};

/** A sign-in with an identity linked already. */
const signInLinked = (
  deps: OAuthDeps,
  flow: OAuthFlow,
  identity: ProviderIdentity,
  profile: ProviderProfile,
  context: RequestContext,
): Promise<OAuthOutcome> =>
  deps.unitOfWork.run(async (repos) => {
    const user = await lockUser(repos, identity.userId);
    const bar = barred(user);
    if (bar !== null || user === null) return bar ?? failed('account_unavailable');
    await repos.identities.updateEmail(
      flow.provider,
      profile.subject,
      profile.email,
      profile.emailVerified,
    );
    // The provider now vouches for the account's own address: that verifies it.
    const verifies =
      user.status === 'unverified' &&
      profile.emailVerified &&
      profile.email !== null &&
      sameEmail(profile.email, user.email);
    const current = verifies ? markVerified(user, deps.clock.now()) : user;
    if (verifies) {
      await repos.audit.record({
        type: 'user.email_verified',
        actorId: user.id,
        targetId: user.id,
        ...context,
        data: { provider: flow.provider },
      });
    }
    return signIn(deps, repos, current, flow, context);
  });

/** A first sign-in whose email no account holds: a new account, without a password. */
const signUp = (
  deps: OAuthDeps,
  flow: OAuthFlow,
  profile: ProviderProfile & { email: string },
  context: RequestContext,
): Promise<OAuthOutcome> =>
  deps.unitOfWork.run(async (repos) => {
    const now = deps.clock.now();
    const user: User = {
      id: deps.ids.newId(),
      email: profile.email,
      pendingEmail: null,
      displayName: profile.name,
      status: profile.emailVerified ? 'active' : 'unverified',
      passwordHash: null,
      roles: [DEFAULT_ROLE],
      emailVerifiedAt: profile.emailVerified ? now : null,
      lastLoginAt: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await repos.users.insert(user);
    await repos.audit.record({
      type: 'user.registered',
      actorId: user.id,
      targetId: user.id,
      ...context,
      data: { provider: flow.provider },
    });
    await linkIdentity(repos, user, flow, profile, now, context, { via: 'sign_up' });
    if (!profile.emailVerified) await repos.mail.requestVerification(user, 'verify_account');
    return signIn(deps, repos, user, flow, context, true);
  });

/**
 * The provider verified an email whose local account never was: the provider's user owns the
 * address and wins. Whoever registered it before cannot keep a way in: the password, the other
 * identities, the pending email change, every outstanding token and every session go.
 */
const claimAccount = async (
  deps: OAuthDeps,
  repos: TransactionRepositories,
  user: User,
  flow: OAuthFlow,
  profile: ProviderProfile,
  context: RequestContext,
): Promise<User> => {
  const now = deps.clock.now();
  const claimed: User = {
    ...markVerified(user, now),
    passwordHash: null,
    pendingEmail: null,
  };
  await repos.users.update(claimed);
  const sessionsRevoked = await repos.sessions.revokeAllForUser(user.id, now, 'account_claimed');
  await repos.tokens.supersede(user.id, ONE_TIME_TOKEN_PURPOSES, now);
  for (const other of await repos.identities.listForUser(user.id)) {
    await repos.identities.delete(user.id, other.provider);
    await repos.audit.record({
      type: 'oauth.unlinked',
      actorId: null,
      targetId: user.id,
      ...context,
      data: { provider: other.provider, reason: 'account_claimed' },
    });
  }
  await repos.audit.record({
    type: 'user.email_verified',
    actorId: user.id,
    targetId: user.id,
    ...context,
    data: { provider: flow.provider },
  });
  await linkIdentity(repos, claimed, flow, profile, now, context, {
    via: 'email_match',
    claimed: true,
    passwordRemoved: user.passwordHash !== null,
    sessionsRevoked,
  });
  return claimed;
};

/** A first sign-in whose email an account holds: the contract's linking rule. */
const signInByEmail = (
  deps: OAuthDeps,
  flow: OAuthFlow,
  holder: User,
  profile: ProviderProfile,
  context: RequestContext,
): Promise<OAuthOutcome> =>
  deps.unitOfWork.run(async (repos) => {
    const user = await lockUser(repos, holder.id);
    if (user === null || isDeleted(user)) return failed('account_unavailable');
    const now = deps.clock.now();
    const decision = linkDecision(user, profile);
    if (decision === 'require_password') {
      const linkToken = deps.secrets.generate();
      await repos.pendingLinks.insert({
        tokenHash: deps.secrets.hash(linkToken),
        userId: user.id,
        provider: flow.provider,
        subject: profile.subject,
        email: profile.email,
        emailVerified: profile.emailVerified,
        createdAt: now,
        expiresAt: new Date(now.getTime() + deps.oauth.linkTokenTtl * 1000),
        usedAt: null,
      });
      return { kind: 'link_required', provider: flow.provider, linkToken };
    }
    const bar = barred(user);
    if (bar !== null) return bar;
    if (decision === 'claim') {
      const claimed = await claimAccount(deps, repos, user, flow, profile, context);
      return signIn(deps, repos, claimed, flow, context);
    }
    const linked = await repos.identities.listForUser(user.id);
    if (linked.some((i) => i.provider === flow.provider)) return failed('provider_already_linked');
    await linkIdentity(repos, user, flow, profile, now, context, { via: 'email_match' });
    return signIn(deps, repos, user, flow, context);
  });

/** Signs in with a provider identity: linked already, by the linking rule, or a new account. */
export const signInWithIdentity = async (
  deps: OAuthDeps,
  flow: OAuthFlow,
  profile: ProviderProfile,
  context: RequestContext,
  retried = false,
): Promise<OAuthOutcome> => {
  const identity = await deps.unitOfWork.run((repos) =>
    repos.identities.find(flow.provider, profile.subject),
  );
  let outcome: OAuthOutcome;
  if (identity !== null) {
    outcome = await signInLinked(deps, flow, identity, profile, context);
  } else {
    if (profile.email === null) return failed('provider_error', 'the provider shared no email');
    const holder = await deps.users.findByEmail(profile.email);
    try {
      outcome =
        holder === null
          ? await signUp(deps, flow, { ...profile, email: profile.email }, context)
          : await signInByEmail(deps, flow, holder, profile, context);
    } catch (error) {
      // A concurrent callback made the account or linked the identity: decide again, once.
      if (error instanceof EmailTakenError && !retried) {
        return signInWithIdentity(deps, flow, profile, context, true);
      }
      throw error;
    }
  }
  if (outcome.kind === 'signed_in') {
    if (outcome.created) deps.events?.emit({ type: 'registration' });
    deps.events?.emit({ type: 'login', outcome: 'success' });
  }
  return outcome;
};

/** Links the identity to the signed-in user who started a connect. No new session. */
export const connectIdentity = (
  deps: OAuthDeps,
  flow: OAuthFlow,
  userId: UserId,
  profile: ProviderProfile,
  context: RequestContext,
): Promise<OAuthOutcome> =>
  deps.unitOfWork.run(async (repos) => {
    const user = await lockUser(repos, userId);
    const bar = barred(user);
    if (bar !== null || user === null) return bar ?? failed('account_unavailable');
    const existing = await repos.identities.find(flow.provider, profile.subject);
    if (existing !== null && existing.userId !== user.id) return failed('identity_in_use');
    if (existing !== null) {
      await repos.identities.updateEmail(
        flow.provider,
        profile.subject,
        profile.email,
        profile.emailVerified,
      );
      return { kind: 'connected', redirectTo: flow.redirectTo };
    }
    const now = deps.clock.now();
    if (!(await repos.identities.insert(identityOf(user, flow.provider, profile, now)))) {
      return failed('provider_already_linked');
    }
    await recordLink(repos, user, flow.provider, context, { via: 'connect' });
    return { kind: 'connected', redirectTo: flow.redirectTo };
  });
