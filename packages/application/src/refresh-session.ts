import type { Permission, RequestContext, Session, User } from '@latchkey/domain';
import { InvalidRefreshTokenError, canSignIn, judgeRefresh } from '@latchkey/domain';
import type { AccountDeps } from './deps.js';
import { tokenPair } from './session-tokens.js';
import type { TokenPair } from './types.js';

type Outcome =
  | { kind: 'ok'; session: Session; user: User; permissions: Permission[]; token: string }
  | { kind: 'invalid' };

/**
 * Exchanges a refresh token for a new pair. The token row is locked, so concurrent refreshes
 * with one token are serialised. Reuse after the grace window revokes the whole family, and that
 * revocation commits although the request fails.
 */
export const refreshSession =
  (deps: AccountDeps) =>
  async (refreshToken: string, context: RequestContext): Promise<TokenPair> => {
    const hash = deps.secrets.hash(refreshToken);
    const outcome = await deps.unitOfWork.run(async (repos): Promise<Outcome> => {
      const found = await repos.sessions.findByTokenHashForUpdate(hash);
      if (found === null) return { kind: 'invalid' };
      const { session, token } = found;
      const now = deps.clock.now();
      const verdict = judgeRefresh(session, token, now, deps.settings.refreshReuseGrace);
      if (verdict.kind === 'invalid') return { kind: 'invalid' };
      if (verdict.kind === 'reuse') {
        await repos.sessions.revoke(session.id, now, 'refresh_token_reuse');
        await repos.audit.record({
          type: 'session.refresh_reuse',
          actorId: null,
          targetId: session.userId,
          ...context,
          data: { sessionId: session.id },
        });
        return { kind: 'invalid' };
      }
      const user = await repos.users.findById(session.userId);
      if (user === null || !canSignIn(user)) return { kind: 'invalid' };
      const next = deps.secrets.generate();
      await repos.sessions.rotate(session.id, hash, deps.secrets.hash(next), now);
      await repos.sessions.touch(session.id, now);
      const permissions = await repos.roles.permissionsOf(user.roles);
      return { kind: 'ok', session, user, permissions, token: next };
    });
    if (outcome.kind === 'invalid') throw new InvalidRefreshTokenError();
    return tokenPair(deps, outcome.user, outcome.permissions, outcome.session, outcome.token);
  };
