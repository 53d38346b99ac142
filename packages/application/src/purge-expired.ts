import type { Clock, Housekeeping, PurgeResult } from '@latchkey/domain';
import { MAIL_QUOTA } from '@latchkey/domain';

/** The `purge_expired` job: drops expired single-use tokens and sessions, and stale quota rows. */
export const purgeExpired =
  (deps: { readonly housekeeping: Housekeeping; readonly clock: Clock }) =>
  async (): Promise<PurgeResult> => {
    const now = deps.clock.now();
    return deps.housekeeping.purgeExpired({
      tokensBefore: now,
      sessionsBefore: now,
      mailLogBefore: new Date(now.getTime() - MAIL_QUOTA.windowSeconds * 1000),
    });
  };
