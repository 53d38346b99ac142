import type { MailMessage, Mailer } from '@latchkey/domain';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

export interface NodemailerMailerOptions {
  /**
   * `smtp://` (STARTTLS when offered) or `smtps://` (TLS), with credentials and nodemailer
   * options as query parameters, e.g. `smtp://user:pass@mail.example.com:587?pool=true`.
   */
  readonly smtpUrl: string;
  /** The `From` header, e.g. `Latchkey <no-reply@example.com>`. */
  readonly from: string;
  /** Extra transport options (tests: `{ ignoreTLS: true }`). */
  readonly transport?: SMTPTransport.Options;
}

/** Mailer over SMTP with nodemailer. A failed delivery throws, so the mail job is retried. */
export class NodemailerMailer implements Mailer {
  private readonly transporter: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(private readonly options: NodemailerMailerOptions) {
    // Fail a dead or stalled server within seconds (nodemailer waits minutes by default): the
    // job is retried with backoff anyway.
    this.transporter = nodemailer.createTransport(options.smtpUrl, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      ...options.transport,
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transporter.sendMail({
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: { 'X-Latchkey-Mail': message.kind },
    });
  }

  /** Verifies that the server accepts a connection (and the credentials). */
  async verify(): Promise<void> {
    await this.transporter.verify();
  }

  /** Closes pooled connections. */
  close(): void {
    this.transporter.close();
  }
}
