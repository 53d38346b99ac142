import argon2 from 'argon2';
import t from 'tap';
import { Argon2PasswordHasher } from '../src/index.js';

const options = { memoryKib: 4096, timeCost: 1, parallelism: 1, concurrency: 2, maxQueued: 2 };
const hasher = new Argon2PasswordHasher(options);

t.test('hash and verify', async (t) => {
  const hash = await hasher.hash('correct horse battery staple');
  t.match(hash, /^\$argon2id\$/);
  t.equal(await hasher.verify(hash, 'correct horse battery staple'), true);
  t.equal(await hasher.verify(hash, 'wrong'), false);
  t.equal(await hasher.verify('not a hash', 'x'), false, 'a malformed hash never matches');
});

t.test('needsRehash: only hashes made with other parameters', async (t) => {
  t.equal(hasher.needsRehash(await hasher.hash('pw')), false, 'current parameters: kept');
  const older = await argon2.hash('pw', {
    type: argon2.argon2id,
    memoryCost: 2048,
    timeCost: 1,
    parallelism: 1,
  });
  t.equal(hasher.needsRehash(older), true, 'lower memory cost: upgraded');
  const argon2i = await argon2.hash('pw', {
    type: argon2.argon2i,
    memoryCost: 4096,
    timeCost: 1,
    parallelism: 1,
  });
  t.equal(hasher.needsRehash(argon2i), true, 'another variant: upgraded');
  t.equal(hasher.needsRehash('garbage'), true);
});

t.test('the dummy verify runs a real verification', async (t) => {
  const start = process.hrtime.bigint();
  await hasher.verifyDummy('anything');
  t.ok(process.hrtime.bigint() > start);
});

t.test('a full queue refuses with service_unavailable', async (t) => {
  const tiny = new Argon2PasswordHasher({ ...options, concurrency: 1, maxQueued: 1 });
  const results = await Promise.allSettled([tiny.hash('a'), tiny.hash('b'), tiny.hash('c')]);
  const refused = results.filter((r) => r.status === 'rejected');
  t.equal(refused.length, 1);
  t.match((refused[0] as PromiseRejectedResult).reason, { code: 'service_unavailable' });
});
