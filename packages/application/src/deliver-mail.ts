import type { AuthEvents, Mailer } from '@latchkey/domain';
import { parseMailRequest } from './job-payloads.js';
import { renderMail, type MailTemplateOptions } from './mail-templates.js';

/**
 * The `send_mail` job: renders the queued mail and hands it to the Mailer. A delivery failure
 * throws, so the job queue retries it with backoff; nothing is lost while SMTP is down.
 */
export const deliverMail =
  (deps: {
    readonly mailer: Mailer;
    readonly templates: MailTemplateOptions;
    /** Counts each delivery attempt as sent or failed. */
    readonly events?: AuthEvents;
  }) =>
  async (payload: unknown): Promise<void> => {
    const message = renderMail(parseMailRequest(payload), deps.templates);
    try {
      await deps.mailer.send(message);
    } catch (error) {
      deps.events?.emit({ type: 'mail', outcome: 'failed' });
      throw error;
    }
    deps.events?.emit({ type: 'mail', outcome: 'sent' });
  };
