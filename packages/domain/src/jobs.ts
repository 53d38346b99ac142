import type { MailRequest } from './mail.js';

/** Payloads of the background jobs, by task name. */
export interface JobPayloads {
  /** Render and send one mail. */
  readonly send_mail: MailRequest;
  /** Look the email up and, when it names a live account, issue a reset token and mail it. */
  readonly password_reset_requested: { readonly email: string };
}
export type JobTask = keyof JobPayloads;

/** Scheduled housekeeping tasks (no payload). */
export const CRON_TASKS = ['purge_expired', 'anonymise_deleted'] as const;
export type CronTask = (typeof CRON_TASKS)[number];
