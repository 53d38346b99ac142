import type { MailMessage } from '../mail.js';

/** Delivers rendered mails (SMTP, or a log line in development). */
export interface Mailer {
  /** Sends `message`. @throws when delivery failed (the job is retried). */
  send(message: MailMessage): Promise<void>;
}
