import type { Mailer } from '@latchkey/domain';
import { LogMailer, NodemailerMailer } from '@latchkey/adapters-smtp';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';

/** SMTP when `SMTP_URL` is set; otherwise each mail is logged as one JSON line with its link. */
export const createMailer = (config: Config, logger?: Logger): Mailer & { close?(): void } => {
  if (config.smtpUrl !== undefined) {
    return new NodemailerMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
  }
  return new LogMailer((mail) => logger?.info({ mail }, 'mail (SMTP_URL unset: logged, not sent)'));
};
