import type { MailMessage, Mailer } from '@latchkey/domain';

/** Mailer that keeps what it was given; `failWith` makes every send throw. */
export class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  failWith: Error | null = null;

  async send(message: MailMessage): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.sent.push(message);
  }
}
