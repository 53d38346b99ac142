import t from 'tap';
import { CryptoSecretTokens } from '../src/crypto-secret-tokens.js';
import { poolRandomBytes } from '../src/random-pool.js';
import { UuidV7Generator, uuidV7Timestamp } from '../src/uuid-v7-generator.js';

t.test('pooled random bytes: never handed out twice, across refills', async (t) => {
  const seen = new Set<string>();
  const sizes = new Set<number>();
  // 17 refills of the 4 KiB pool, with draw sizes that do not divide it.
  for (let i = 0; i < 3000; i += 1) {
    const bytes = poolRandomBytes(i % 3 === 0 ? 16 : 27);
    sizes.add(bytes.length);
    seen.add(bytes.toString('hex'));
  }
  t.same([...sizes].sort(), [16, 27]);
  t.equal(seen.size, 3000, 'no draw repeats another');
  const zeros = [...seen].filter((hex) => /^(00)+$/.test(hex));
  t.same(zeros, [], 'no draw is the zeroed part of the pool');
  t.throws(() => poolRandomBytes(4097), RangeError);
});

t.test('pooled random bytes look uniform (every byte value, roughly evenly)', async (t) => {
  const counts = new Array<number>(256).fill(0);
  for (let i = 0; i < 2048; i += 1) for (const b of poolRandomBytes(32)) counts[b]! += 1;
  // 65 536 bytes: 256 expected per value; 5 standard deviations either side.
  t.ok(
    counts.every((c) => c > 256 - 80 && c < 256 + 80),
    `counts between ${Math.min(...counts)} and ${Math.max(...counts)}`,
  );
});

t.test('ids and tokens stay distinct and well-formed on the pool', async (t) => {
  const ids = new UuidV7Generator();
  const tokens = new CryptoSecretTokens();
  const made = new Set<string>();
  const malformed: string[] = [];
  for (let i = 0; i < 1000; i += 1) {
    const id = ids.newId();
    const token = tokens.generate();
    if (uuidV7Timestamp(id) === null) malformed.push(id);
    // 256 bits, base64url.
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) malformed.push(token);
    made.add(id).add(token);
  }
  t.same(malformed, []);
  t.equal(made.size, 2000, 'all distinct');
});
