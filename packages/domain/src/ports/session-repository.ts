import type { RefreshTokenRecord, Session, SessionId } from '../session.js';
import type { UserStatus, UserId } from '../user.js';

/** What the bearer check needs to know about a session, read in one query. */
export interface SessionAuthState {
  readonly sessionId: SessionId;
  readonly userId: UserId;
  readonly revoked: boolean;
  readonly expiresAt: Date;
  /** Access tokens issued before this instant are refused (role change). */
  readonly tokensValidFrom: Date;
  readonly userStatus: UserStatus;
  readonly userDeleted: boolean;
}

/** Stores sessions (refresh-token families) and their refresh tokens, by hash only. */
export interface SessionRepository {
  /** Creates a session with its first refresh token. */
  create(session: Session, tokenHash: string): Promise<void>;
  /** @returns the token and its session, both row-locked for the transaction, or null. */
  findByTokenHashForUpdate(
    tokenHash: string,
  ): Promise<{ session: Session; token: RefreshTokenRecord } | null>;
  /** Marks `oldHash` rotated at `now` (when not already) and adds `newHash` to the family. */
  rotate(sessionId: SessionId, oldHash: string, newHash: string, now: Date): Promise<void>;
  /** Records that the session was used. */
  touch(sessionId: SessionId, now: Date): Promise<void>;
  /** @returns the session, or null when absent. */
  findById(id: SessionId): Promise<Session | null>;
  /** @returns the user's live sessions (not revoked, not expired), newest first. */
  listActive(userId: UserId, now: Date): Promise<Session[]>;
  /** Revokes one session. @returns false when it was absent or already revoked. */
  revoke(id: SessionId, now: Date, reason: string): Promise<boolean>;
  /** Revokes every live session of the user but `exceptId`. @returns how many. */
  revokeAllForUser(
    userId: UserId,
    now: Date,
    reason: string,
    exceptId?: SessionId,
  ): Promise<number>;
  /** Makes access tokens issued before `from` fail on every session of the user. */
  invalidateAccessTokens(userId: UserId, from: Date): Promise<void>;
  /** @returns the bearer-check state of a session, or null when absent. */
  authState(id: SessionId): Promise<SessionAuthState | null>;
}
