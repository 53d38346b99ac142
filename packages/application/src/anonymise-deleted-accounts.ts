import type { Clock, Housekeeping } from '@latchkey/domain';

/**
 * The `anonymise_deleted` job: accounts soft-deleted more than `retentionDays` ago lose their
 * personal data (email, name, password, sessions); the row and the audit trail remain.
 */
export const anonymiseDeletedAccounts =
  (deps: {
    readonly housekeeping: Housekeeping;
    readonly clock: Clock;
    readonly retentionDays: number;
  }) =>
  async (): Promise<number> => {
    const now = deps.clock.now();
    const cutoff = new Date(now.getTime() - deps.retentionDays * 86_400_000);
    return deps.housekeeping.anonymiseDeleted(cutoff, now);
  };
