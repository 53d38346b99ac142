import type { RequestContext } from '@latchkey/domain';
import { InvalidRefreshTokenError, canSignIn, judgeRefresh } from '@latchkey/domain';
import type { AccountDeps } from './deps.js';
import { permissionsFor } from './permissions-for.js';
import { tokenPair } from './session-tokens.js';
import type { TokenPair } from './types.js';

type Outcome = { kind: 'ok'; pair: TokenPair } | { kind: 'invalid'; reuse?: true };

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
        return { kind: 'invalid', reuse: true };
      }
      const user = await repos.users.findById(session.userId);
      if (user === null || !canSignIn(user)) return { kind: 'invalid' };
      const next = deps.secrets.generate();
      await repos.sessions.rotate(session.id, hash, deps.secrets.hash(next), now);
      await repos.sessions.touch(session.id, now);
      const permissions = await permissionsFor(deps.permissionCache, repos.roles, user);
      // Signed before commit, while the session row is locked: a role change stamps
      // tokensValidFrom only once it holds that lock, so this token cannot outlive it.
      return { kind: 'ok', pair: await tokenPair(deps, user, permissions, session, next) };
    });
    if (outcome.kind === 'invalid') {
      if (outcome.reuse) deps.events?.emit({ type: 'refresh_token_reuse' });
      deps.events?.emit({ type: 'refresh', outcome: 'invalid' });
      throw new InvalidRefreshTokenError();
    }
    deps.events?.emit({ type: 'refresh', outcome: 'success' });
    return outcome.pair;
  };
