import type {
  RequestContext,
  Session,
  SessionId,
  SessionRepository,
  UserId,
} from '@latchkey/domain';
import { NotFoundError } from '@latchkey/domain';
import type { AccountDeps } from './deps.js';

export interface SessionView extends Session {
  readonly current: boolean;
}

/** Lists the caller's live sessions, marking the one the request came with. */
export const listSessions =
  (deps: { sessions: SessionRepository; clock: AccountDeps['clock'] }) =>
  async (userId: UserId, currentId: SessionId): Promise<SessionView[]> => {
    const sessions = await deps.sessions.listActive(userId, deps.clock.now());
    return sessions.map((s) => ({ ...s, current: s.id === currentId }));
  };

/** Revokes one of the caller's sessions; another user's is "not found". */
export const revokeSession =
  (deps: Pick<AccountDeps, 'unitOfWork' | 'clock'>) =>
  async (userId: UserId, sessionId: SessionId, context: RequestContext): Promise<void> =>
    deps.unitOfWork.run(async (repos) => {
      const session = await repos.sessions.findById(sessionId);
      const now = deps.clock.now();
      const live =
        session !== null &&
        session.userId === userId &&
        session.revokedAt === null &&
        session.expiresAt > now;
      if (!live || !(await repos.sessions.revoke(sessionId, now, 'revoked_by_user'))) {
        throw new NotFoundError('session not found');
      }
      await repos.audit.record({
        type: 'session.revoked',
        actorId: userId,
        targetId: userId,
        ...context,
        data: { sessionId },
      });
    });
