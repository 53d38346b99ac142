import type { Session } from '../session.js';
import type { User } from '../user.js';
import type { AuditEvent } from './audit-log.js';

/** A checked sign-in, ready to be written: the stamp, the session it opens and its audit event. */
export interface SignIn {
  /** The user as read before the password was checked. */
  readonly user: User;
  /** When the user signed in: the new `lastLoginAt`. */
  readonly at: Date;
  /** The session it opens (not yet stored). */
  readonly session: Session;
  /** The hash of the session's first refresh token. */
  readonly refreshTokenHash: string;
  readonly event: AuditEvent;
}

/**
 * Writes a sign-in in one atomic step, without a transaction held open across round trips: the
 * common case of a login, where nothing changed while the password was checked.
 */
export interface SignInRecorder {
  /**
   * Sets the user's `lastLoginAt`, stores the session with its first refresh token and records
   * the event, all or nothing, if the stored user still equals `signIn.user` in every field but
   * `lastLoginAt` (its roles included). The write row-locks the user as a transaction would.
   * @returns false, having written nothing, when the user changed or is gone.
   */
  recordIfUnchanged(signIn: SignIn): Promise<boolean>;
}
