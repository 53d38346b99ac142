import type { MailMessage, Mailer } from '@latchkey/domain';

/** One logged mail: what a developer needs to follow it, link included. */
export interface LoggedMail {
  readonly kind: MailMessage['kind'];
  readonly to: string;
  readonly subject: string;
  readonly link: string | null;
  readonly text: string;
}

/**
 * The default Mailer when no SMTP server is configured: each mail becomes one structured log
 * entry (one JSON line with a JSON logger) holding its link, instead of being sent.
 */
export class LogMailer implements Mailer {
  constructor(private readonly write: (mail: LoggedMail) => void) {}

  async send(message: MailMessage): Promise<void> {
    this.write({
      kind: message.kind,
      to: message.to,
      subject: message.subject,
      link: message.link,
      text: message.text,
    });
  }
}
