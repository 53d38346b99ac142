import type { JobQueue } from '@latchkey/domain';
import { parseEmail } from '@latchkey/domain';

/**
 * Accepts a password reset request. The request path does the same work whether or not the
 * account exists (it queues one job holding the typed email), so the answer, and its time,
 * reveal nothing; the job (`requestPasswordReset`) looks the account up and mails the stored address.
 */
export const forgotPassword =
  (deps: { readonly jobs: JobQueue }) =>
  async (email: string): Promise<void> => {
    await deps.jobs.add('password_reset_requested', { email: parseEmail(email) });
  };
