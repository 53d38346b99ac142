import type {
  RefreshTokenRecord,
  Session,
  SessionAuthState,
  SessionId,
  SessionRepository,
  UserId,
} from '@latchkey/domain';
import { clone, type StateAccess } from './in-memory-database.js';

const isLive = (session: Session, now: Date): boolean =>
  session.revokedAt === null && session.expiresAt.getTime() > now.getTime();

/** SessionRepository over the fake database. */
export class InMemorySessionRepository implements SessionRepository {
  constructor(private readonly access: StateAccess) {}

  async create(session: Session, tokenHash: string): Promise<void> {
    await this.access.write((state) => {
      if (state.sessions.has(session.id)) throw new Error(`duplicate session id ${session.id}`);
      if (state.refreshTokens.has(tokenHash)) throw new Error('duplicate refresh token hash');
      if (!state.users.has(session.userId)) throw new Error(`no user ${session.userId}`);
      state.sessions.set(session.id, {
        session: clone(session),
        revokedReason: null,
        tokensValidFrom: session.createdAt,
      });
      state.refreshTokens.set(tokenHash, {
        tokenHash,
        sessionId: session.id,
        createdAt: session.createdAt,
        rotatedAt: null,
      });
    });
  }

  async findByTokenHashForUpdate(
    tokenHash: string,
  ): Promise<{ session: Session; token: RefreshTokenRecord } | null> {
    const state = this.access.read();
    const token = state.refreshTokens.get(tokenHash);
    const stored = token && state.sessions.get(token.sessionId);
    if (token === undefined || stored === undefined) return null;
    return { session: clone(stored.session), token: clone(token) };
  }

  async rotate(sessionId: SessionId, oldHash: string, newHash: string, now: Date): Promise<void> {
    await this.access.write((state) => {
      if (!state.sessions.has(sessionId)) throw new Error(`no session ${sessionId}`);
      if (state.refreshTokens.has(newHash)) throw new Error('duplicate refresh token hash');
      const old = state.refreshTokens.get(oldHash);
      if (old !== undefined && old.sessionId === sessionId && old.rotatedAt === null) {
        state.refreshTokens.set(oldHash, { ...old, rotatedAt: now });
      }
      state.refreshTokens.set(newHash, {
        tokenHash: newHash,
        sessionId,
        createdAt: now,
        rotatedAt: null,
      });
    });
  }

  async touch(sessionId: SessionId, now: Date): Promise<void> {
    await this.access.write((state) => {
      const stored = state.sessions.get(sessionId);
      if (stored !== undefined) {
        state.sessions.set(sessionId, {
          ...stored,
          session: { ...stored.session, lastUsedAt: now },
        });
      }
    });
  }

  async findById(id: SessionId): Promise<Session | null> {
    const stored = this.access.read().sessions.get(id);
    return stored === undefined ? null : clone(stored.session);
  }

  async listActive(userId: UserId, now: Date): Promise<Session[]> {
    return [...this.access.read().sessions.values()]
      .map((s) => s.session)
      .filter((s) => s.userId === userId && isLive(s, now))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map(clone);
  }

  async revoke(id: SessionId, now: Date, reason: string): Promise<boolean> {
    return this.access.write((state) => {
      const stored = state.sessions.get(id);
      if (stored === undefined || stored.session.revokedAt !== null) return false;
      state.sessions.set(id, {
        ...stored,
        session: { ...stored.session, revokedAt: now },
        revokedReason: reason,
      });
      return true;
    });
  }

  async revokeAllForUser(
    userId: UserId,
    now: Date,
    reason: string,
    exceptId?: SessionId,
  ): Promise<number> {
    return this.access.write((state) => {
      let count = 0;
      for (const [id, stored] of state.sessions) {
        if (stored.session.userId !== userId || id === exceptId || !isLive(stored.session, now))
          continue;
        state.sessions.set(id, {
          ...stored,
          session: { ...stored.session, revokedAt: now },
          revokedReason: reason,
        });
        count += 1;
      }
      return count;
    });
  }

  async invalidateAccessTokens(userId: UserId, from: Date): Promise<void> {
    await this.access.write((state) => {
      for (const [id, stored] of state.sessions) {
        if (stored.session.userId !== userId || stored.session.revokedAt !== null) continue;
        if (stored.tokensValidFrom.getTime() < from.getTime()) {
          state.sessions.set(id, { ...stored, tokensValidFrom: from });
        }
      }
    });
  }

  async authState(id: SessionId): Promise<SessionAuthState | null> {
    const state = this.access.read();
    const stored = state.sessions.get(id);
    const user = stored && state.users.get(stored.session.userId);
    if (stored === undefined || user === undefined) return null;
    return {
      sessionId: id,
      userId: user.id,
      revoked: stored.session.revokedAt !== null,
      expiresAt: stored.session.expiresAt,
      tokensValidFrom: stored.tokensValidFrom,
      userStatus: user.status,
      userDeleted: user.deletedAt !== null,
    };
  }
}
