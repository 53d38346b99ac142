import type { User } from '../user.js';

/** Why a verification mail is sent: the account itself, or a pending email change. */
export type VerificationPurpose = 'verify_account' | 'verify_email_change';

/**
 * Queues the account's mails. Called inside the transaction of the change that causes
 * the mail, so a rolled-back change sends nothing and a committed one cannot lose it.
 */
export interface AccountMail {
  /** Issues a verification token (superseding older ones of the purpose) and queues its mail. */
  requestVerification(user: User, purpose: VerificationPurpose): Promise<void>;
  /** Queues the notice that the password was changed or reset. */
  passwordChanged(user: User, how: 'changed' | 'reset'): Promise<void>;
  /** Queues the notice, to the old address, that the email was changed. */
  emailChanged(user: User, oldEmail: string): Promise<void>;
  /**
   * Issues a password reset token (superseding older ones) and queues its mail to the stored
   * address. Verification and reset mails share a per-account quota: over it, nothing is sent.
   */
  requestPasswordReset(user: User): Promise<void>;
}
