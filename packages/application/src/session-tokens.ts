import type {
  Permission,
  RequestContext,
  Session,
  TransactionRepositories,
  User,
} from '@latchkey/domain';
import { remainingLifetimeSeconds } from '@latchkey/domain';
import type { AccountDeps } from './deps.js';
import type { TokenPair } from './types.js';

type TokenDeps = Pick<AccountDeps, 'accessTokens' | 'secrets' | 'clock' | 'ids' | 'settings'>;

/** A new session (refresh-token family) for `user` and its first refresh token, not yet stored. */
export const newSession = (
  deps: TokenDeps,
  user: User,
  context: RequestContext,
): { session: Session; refreshToken: string } => {
  const now = deps.clock.now();
  const session: Session = {
    id: deps.ids.newId(),
    userId: user.id,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + deps.settings.refreshTokenTtl * 1000),
    revokedAt: null,
    userAgent: context.userAgent?.slice(0, 512) ?? null,
    ip: context.ip,
  };
  return { session, refreshToken: deps.secrets.generate() };
};

/** Opens a new session (refresh-token family) for `user` inside the caller's transaction. */
export const openSession = async (
  deps: TokenDeps,
  repos: TransactionRepositories,
  user: User,
  context: RequestContext,
): Promise<{ session: Session; refreshToken: string }> => {
  const opened = newSession(deps, user, context);
  await repos.sessions.create(opened.session, deps.secrets.hash(opened.refreshToken));
  return opened;
};

/** Signs an access token for the session and pairs it with the refresh token. */
export const tokenPair = async (
  deps: TokenDeps,
  user: User,
  permissions: readonly Permission[],
  session: Session,
  refreshToken: string,
): Promise<TokenPair> => {
  const access = await deps.accessTokens.issue({
    sub: user.id,
    sid: session.id,
    roles: user.roles,
    perms: permissions,
  });
  return {
    accessToken: access.token,
    expiresIn: access.expiresIn,
    refresh: { token: refreshToken, maxAge: remainingLifetimeSeconds(session, deps.clock.now()) },
  };
};
