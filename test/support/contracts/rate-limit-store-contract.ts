import type { RateLimitStore } from '@latchkey/domain';
import type { FixedClock } from '../in-memory/index.js';
import type { TapTest } from './harness.js';

/** One RateLimitStore over empty buckets, on a clock the suite moves. */
export interface RateLimitStoreHarness {
  readonly store: RateLimitStore;
  readonly clock: FixedClock;
}

const MINUTE = 60_000;

/** What every RateLimitStore must do: `takeToken`'s arithmetic, per key, atomically. */
export const rateLimitStoreContract = (
  t: TapTest,
  name: string,
  make: () => Promise<RateLimitStoreHarness>,
): Promise<void> =>
  t
    .test(`RateLimitStore contract (${name})`, async (t) => {
      t.test(
        'a fresh bucket allows a burst of `capacity`, then refuses until a token refills',
        async (t) => {
          const { store, clock } = await make();
          const taken = [];
          for (let i = 0; i < 6; i++) taken.push(await store.take('a', 5, MINUTE));
          t.same(
            taken.map((r) => [r.allowed, r.remaining, r.resetMs, r.retryAfterMs]),
            [
              [true, 4, 12_000, 0],
              [true, 3, 24_000, 0],
              [true, 2, 36_000, 0],
              [true, 1, 48_000, 0],
              [true, 0, 60_000, 0],
              [false, 0, 60_000, 12_000],
            ],
          );
          clock.advance(11_999);
          const early = await store.take('a', 5, MINUTE);
          t.same([early.allowed, early.retryAfterMs], [false, 1], 'one millisecond short');
          clock.advance(1);
          const next = await store.take('a', 5, MINUTE);
          t.same(
            [next.allowed, next.remaining, next.resetMs],
            [true, 0, 60_000],
            'one token refilled',
          );
        },
      );

      t.test('an idle bucket refills to capacity, never beyond', async (t) => {
        const { store, clock } = await make();
        for (let i = 0; i < 5; i++) await store.take('b', 5, MINUTE);
        clock.advance(10 * MINUTE);
        const results = [];
        for (let i = 0; i < 6; i++) results.push((await store.take('b', 5, MINUTE)).allowed);
        t.same(results, [true, true, true, true, true, false]);
      });

      t.test('keys are independent, each with its own capacity', async (t) => {
        const { store } = await make();
        for (let i = 0; i < 2; i++) await store.take('c1', 2, MINUTE);
        t.equal((await store.take('c1', 2, MINUTE)).allowed, false);
        const other = await store.take('c2', 100, MINUTE);
        t.same([other.allowed, other.remaining, other.resetMs], [true, 99, 600]);
      });

      t.test('a clock that goes back gives no tokens', async (t) => {
        const { store, clock } = await make();
        for (let i = 0; i < 3; i++) await store.take('d', 3, MINUTE);
        clock.advance(-30_000);
        t.equal((await store.take('d', 3, MINUTE)).allowed, false);
      });

      t.test('concurrent takes never overspend a bucket', async (t) => {
        const { store } = await make();
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.take('e', 5, MINUTE)),
        );
        t.equal(results.filter((r) => r.allowed).length, 5);
        t.same(
          results
            .filter((r) => r.allowed)
            .map((r) => r.remaining)
            .sort(),
          [0, 1, 2, 3, 4],
          'each allowed take saw its own remaining count',
        );
      });
    })
    .then(() => undefined);
