import type { UserId } from './user.js';

export type SessionId = string;

/** A sign-in: one refresh-token family. Access tokens name it in their `sid` claim. */
export interface Session {
  readonly id: SessionId;
  readonly userId: UserId;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  /** Absolute end of the session; rotation never extends it. */
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

/** A refresh token of a family, as stored (its hash only). */
export interface RefreshTokenRecord {
  readonly tokenHash: string;
  readonly sessionId: SessionId;
  readonly createdAt: Date;
  /** When it was exchanged for a newer token; null while it is the newest. */
  readonly rotatedAt: Date | null;
}

/** What presenting a refresh token amounts to, decided by `judgeRefresh`. */
export type RefreshVerdict =
  | { readonly kind: 'rotate' }
  | { readonly kind: 'grace' }
  | { readonly kind: 'reuse' }
  | { readonly kind: 'invalid' };

/**
 * The contract's rotation rule. A newest token rotates; an already-rotated one within
 * `graceSeconds` of its rotation gets a fresh pair in the same family; later, it is reuse.
 */
export const judgeRefresh = (
  session: Session,
  token: RefreshTokenRecord,
  now: Date,
  graceSeconds: number,
): RefreshVerdict => {
  if (session.revokedAt !== null || session.expiresAt.getTime() <= now.getTime()) {
    return { kind: 'invalid' };
  }
  if (token.rotatedAt === null) return { kind: 'rotate' };
  const sinceRotation = now.getTime() - token.rotatedAt.getTime();
  return sinceRotation <= graceSeconds * 1000 ? { kind: 'grace' } : { kind: 'reuse' };
};

/** Seconds left of a session's absolute lifetime (never negative). */
export const remainingLifetimeSeconds = (session: Session, now: Date): number =>
  Math.max(0, Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000));
