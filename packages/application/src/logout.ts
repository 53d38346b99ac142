import type { RequestContext, SessionId } from '@latchkey/domain';
import type { AccountDeps } from './deps.js';

export interface LogoutInput {
  readonly refreshToken: string | null;
  /** The session of a valid bearer token, when one came with the request. */
  readonly sessionId: SessionId | null;
}

/** Revokes the session named by the refresh token and/or the bearer. Never fails on absence. */
export const logout =
  (deps: Pick<AccountDeps, 'unitOfWork' | 'secrets' | 'clock'>) =>
  async (input: LogoutInput, context: RequestContext): Promise<void> => {
    await deps.unitOfWork.run(async (repos) => {
      const ids = new Set<SessionId>();
      if (input.sessionId !== null) ids.add(input.sessionId);
      if (input.refreshToken !== null) {
        const found = await repos.sessions.findByTokenHashForUpdate(
          deps.secrets.hash(input.refreshToken),
        );
        if (found !== null) ids.add(found.session.id);
      }
      const now = deps.clock.now();
      for (const id of ids) {
        const session = await repos.sessions.findById(id);
        if (session !== null && (await repos.sessions.revoke(id, now, 'logout'))) {
          await repos.audit.record({
            type: 'user.logout',
            actorId: session.userId,
            targetId: session.userId,
            ...context,
            data: { sessionId: id },
          });
        }
      }
    });
  };
