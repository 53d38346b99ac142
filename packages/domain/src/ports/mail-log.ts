import type { QuotaMailKind } from '../mail.js';
import type { UserId } from '../user.js';

/** Remembers which quota-limited mails went to which account, for the per-account quota. */
export interface MailLog {
  /**
   * Records a `kind` mail for the user at `now` when fewer than `max` were recorded since `since`.
   * Concurrent callers for one user are serialised until the transaction ends.
   * @returns true when recorded (the mail may go), false when the quota is used up.
   */
  tryRecord(
    userId: UserId,
    kind: QuotaMailKind,
    now: Date,
    quota: { readonly max: number; readonly since: Date },
  ): Promise<boolean>;
}
