import { MAIL_QUOTA, type Housekeeping } from '@latchkey/domain';
import t from 'tap';
import { FixedClock } from '../../../test/support/in-memory/index.js';
import { anonymiseDeletedAccounts, purgeExpired } from '../src/index.js';

const recorder = () => {
  const calls: unknown[] = [];
  const housekeeping: Housekeeping = {
    async purgeExpired(cutoffs) {
      calls.push(cutoffs);
      return { tokens: 1, sessions: 2, mailLog: 3 };
    },
    async anonymiseDeleted(before, now) {
      calls.push([before, now]);
      return 4;
    },
  };
  return { calls, housekeeping };
};

t.test('purgeExpired: expired now, quota rows after their window', async (t) => {
  const clock = new FixedClock('2030-06-01T12:00:00Z');
  const { calls, housekeeping } = recorder();
  t.same(await purgeExpired({ housekeeping, clock })(), { tokens: 1, sessions: 2, mailLog: 3 });
  t.same(calls, [
    {
      tokensBefore: clock.now(),
      sessionsBefore: clock.now(),
      mailLogBefore: new Date(clock.now().getTime() - MAIL_QUOTA.windowSeconds * 1000),
    },
  ]);
});

t.test('anonymiseDeletedAccounts: deleted more than the retention ago', async (t) => {
  const clock = new FixedClock('2030-06-01T12:00:00Z');
  const { calls, housekeeping } = recorder();
  t.equal(await anonymiseDeletedAccounts({ housekeeping, clock, retentionDays: 30 })(), 4);
  t.same(calls, [[new Date('2030-05-02T12:00:00Z'), clock.now()]]);
});
