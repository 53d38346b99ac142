import type { LoginThrottle } from '@latchkey/domain';
import type { FixedClock } from '../in-memory/index.js';
import type { TapTest } from './harness.js';

/** One LoginThrottle with threshold 3, window 900 s and a first lock of 30 s, on a frozen clock. */
export interface LoginThrottleHarness {
  readonly throttle: LoginThrottle;
  readonly clock: FixedClock;
}

/** What every production LoginThrottle must do: lock after `threshold` failures, doubling. */
export const loginThrottleContract = (
  t: TapTest,
  name: string,
  make: () => Promise<LoginThrottleHarness>,
): Promise<void> =>
  t
    .test(`LoginThrottle contract (${name})`, async (t) => {
      t.test('locks at the threshold, for the base time', async (t) => {
        const { throttle, clock } = await make();
        t.equal(await throttle.check('a@example.com'), null);
        t.equal(await throttle.recordFailure('a@example.com'), null);
        t.equal(await throttle.recordFailure('a@example.com'), null);
        t.equal(await throttle.check('a@example.com'), null, 'not locked below the threshold');
        t.equal(await throttle.recordFailure('a@example.com'), 30, 'the third failure locks');
        t.equal(await throttle.check('a@example.com'), 30);
        clock.advance(10_500);
        t.equal(await throttle.check('a@example.com'), 20, 'whole seconds left, rounded up');
        t.equal(await throttle.check('b@example.com'), null, 'other keys are free');
        clock.advance(19_500);
        t.equal(await throttle.check('a@example.com'), null, 'unlocked when the lock ends');
      });

      t.test(
        'each failure past the threshold doubles the lock, capped at the window',
        async (t) => {
          const { throttle } = await make();
          const locks: (number | null)[] = [];
          for (let i = 0; i < 9; i++) locks.push(await throttle.recordFailure('grow@example.com'));
          t.same(locks, [null, null, 30, 60, 120, 240, 480, 900, 900]);
        },
      );

      t.test('a lock that ends and fails again grows', async (t) => {
        const { throttle, clock } = await make();
        for (let i = 0; i < 3; i++) await throttle.recordFailure('again@example.com');
        clock.advance(30_000);
        t.equal(await throttle.check('again@example.com'), null);
        t.equal(await throttle.recordFailure('again@example.com'), 60);
        t.equal(await throttle.check('again@example.com'), 60);
      });

      t.test('failures older than the window do not count', async (t) => {
        const { throttle, clock } = await make();
        await throttle.recordFailure('old@example.com');
        await throttle.recordFailure('old@example.com');
        clock.advance(900_000);
        t.equal(await throttle.recordFailure('old@example.com'), null);
        t.equal(await throttle.recordFailure('old@example.com'), null);
        t.equal(await throttle.recordFailure('old@example.com'), 30);
      });

      t.test('reset forgets failures and lifts the lock', async (t) => {
        const { throttle } = await make();
        for (let i = 0; i < 3; i++) await throttle.recordFailure('r@example.com');
        t.ok((await throttle.check('r@example.com')) !== null);
        await throttle.reset('r@example.com');
        t.equal(await throttle.check('r@example.com'), null);
        t.equal(await throttle.recordFailure('r@example.com'), null, 'counting starts again');
      });
    })
    .then(() => undefined);
