import t from 'tap';
import { takeToken, type TokenBucketState } from '../src/index.js';

const run = (steps: readonly number[], capacity: number, windowMs: number) => {
  let state: TokenBucketState | null = null;
  return steps.map((at) => {
    const next = takeToken(state, at, capacity, windowMs);
    state = next.state;
    return next.result;
  });
};

t.test('a burst of capacity, then one token per window/capacity', async (t) => {
  const results = run([0, 0, 0, 0, 0, 0, 12_000, 12_000], 5, 60_000);
  t.same(
    results.map((r) => r.allowed),
    [true, true, true, true, true, false, true, false],
  );
  t.same(results[5], { allowed: false, remaining: 0, resetMs: 60_000, retryAfterMs: 12_000 });
  t.same(results[7], { allowed: false, remaining: 0, resetMs: 60_000, retryAfterMs: 12_000 });
});

t.test('integer arithmetic: no drift over many refills', async (t) => {
  // 100 per 60 s = one token per 600 ms; a float rate would be off after enough steps.
  const steps = Array.from({ length: 10_000 }, (_, i) => (i + 1) * 600);
  const results = run([...Array.from({ length: 100 }, () => 0), ...steps], 100, 60_000);
  t.notOk(
    results.slice(100).some((r) => !r.allowed),
    'one request per refill interval is always allowed',
  );
  const last = results.at(-1);
  t.same(last && [last.remaining, last.resetMs], [0, 60_000], 'and the bucket stays drained');
});

t.test('never more than capacity, never less than empty', async (t) => {
  const [first] = run([0], 3, 1000);
  t.same(first, { allowed: true, remaining: 2, resetMs: 334, retryAfterMs: 0 });
  const idle = run([0, 1e12], 3, 1000);
  t.equal(idle[1]?.remaining, 2, 'a very long idle time refills to capacity only');
  const back = run([0, 0, 0, -5000], 3, 1000);
  t.equal(back[3]?.allowed, false, 'time going back refills nothing');
});
