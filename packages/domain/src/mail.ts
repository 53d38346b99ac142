import type { UserId } from './user.js';

/**
 * The mails the product sends. Verification and reset mails carry a single-use link and count
 * against the per-account quota; notices do not.
 */
export const MAIL_KINDS = [
  'verify_account',
  'verify_email_change',
  'password_reset',
  'password_changed',
  'email_changed',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** Kinds limited by `MAIL_QUOTA` (all of them together, per account). */
export const QUOTA_MAIL_KINDS = [
  'verify_account',
  'verify_email_change',
  'password_reset',
] as const;
export type QuotaMailKind = (typeof QUOTA_MAIL_KINDS)[number];

/** At most `max` verification and reset mails per account within `windowSeconds`. */
export const MAIL_QUOTA = { max: 5, windowSeconds: 3600 } as const;

interface MailRequestBase {
  /** The stored address the mail goes to (never one typed in a request). */
  readonly to: string;
  readonly userId: UserId;
  readonly displayName: string | null;
}

/**
 * A queued mail, rendered and sent by the worker. Link mails carry the raw single-use token
 * (needed to build the link); the job holding it is deleted once the mail is sent.
 */
export type MailRequest =
  | (MailRequestBase & { readonly kind: 'verify_account'; readonly token: string })
  | (MailRequestBase & { readonly kind: 'verify_email_change'; readonly token: string })
  | (MailRequestBase & { readonly kind: 'password_reset'; readonly token: string })
  | (MailRequestBase & { readonly kind: 'password_changed'; readonly how: 'changed' | 'reset' })
  | (MailRequestBase & { readonly kind: 'email_changed'; readonly newEmail: string });

/** A rendered mail, ready for a Mailer. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The single-use link the mail carries, if any (the log mailer prints it). */
  readonly link: string | null;
  /** Kind, for logs and metrics. */
  readonly kind: MailKind;
}
