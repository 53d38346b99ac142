import type { StoredSigningKey } from '@latchkey/domain';
import {
  gate,
  settled,
  waitFor,
  type MakeHarness,
  type PortHarness,
  type TapTest,
} from './harness.js';

const newKey = (h: PortHarness, fields: Partial<StoredSigningKey> = {}): StoredSigningKey => ({
  kid: h.ids.newId(),
  algorithm: 'EdDSA',
  publicKey: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n',
  privateKeyEncrypted: 'v1.iv.ciphertext.tag',
  createdAt: h.clock.now(),
  retiredAt: null,
  ...fields,
});

/** What every SigningKeyRepository must do. */
export const signingKeyRepositoryContract = (t: TapTest, makeRepos: MakeHarness): Promise<void> =>
  t
    .test('SigningKeyRepository contract', async (t) => {
      t.test('insert, list newest first, retire all but one', async (t) => {
        const h = await makeRepos();
        t.same(await h.signingKeys.list(), []);
        const old = newKey(h);
        h.clock.advance(1000);
        const current = newKey(h);
        await h.signingKeys.insert(old);
        await h.signingKeys.insert(current);
        t.same(await h.signingKeys.list(), [current, old]);
        h.clock.advance(1000);
        await h.signingKeys.retireAllExcept(current.kid, h.clock.now());
        t.same(await h.signingKeys.list(), [current, { ...old, retiredAt: h.clock.now() }]);
        h.clock.advance(1000);
        await h.signingKeys.retireAllExcept(current.kid, h.clock.now());
        t.same(
          (await h.signingKeys.list())[1]?.retiredAt,
          new Date(h.clock.now().getTime() - 1000),
          'kept',
        );
        await t.rejects(
          h.signingKeys.insert({ ...old, createdAt: h.clock.now() }),
          'a duplicate kid is refused',
        );
      });

      t.test('withLock: two instances starting at once create one first key', async (t) => {
        const h = await makeRepos();
        const listed = gate();
        const release = gate();
        const ensureKey = (wait: boolean) =>
          h.signingKeys.withLock(async (keys) => {
            const existing = await keys.list();
            if (wait) {
              listed.open();
              await release.promise;
            }
            if (existing.length > 0) return existing[0]!.kid;
            const key = newKey(h);
            await keys.insert(key);
            return key.kid;
          });
        const first = ensureKey(true);
        await listed.promise;
        const second = ensureKey(false);
        await waitFor(
          async () => (await h.blockedTransactions()) > 0,
          'the second instance to wait',
        );
        t.notOk(await settled(second));
        release.open();
        const kid = await first;
        t.equal(await second, kid, 'the second instance uses the key of the first');
        t.equal((await h.signingKeys.list()).length, 1);
      });

      t.test('withLock rolls back when fn throws', async (t) => {
        const h = await makeRepos();
        await t.rejects(
          h.signingKeys.withLock(async (keys) => {
            await keys.insert(newKey(h));
            throw new Error('no');
          }),
        );
        t.same(await h.signingKeys.list(), []);
      });
    })
    .then(() => undefined);
