import type { OneTimeToken, User } from '@latchkey/domain';
import { newHash, newUser, type MakeHarness, type PortHarness, type TapTest } from './harness.js';

const withUser = async (h: PortHarness): Promise<User> => {
  const user = newUser(h);
  await h.users.insert(user);
  return user;
};

const newToken = (
  h: PortHarness,
  user: User,
  fields: Partial<OneTimeToken> = {},
): OneTimeToken => ({
  tokenHash: newHash(),
  userId: user.id,
  purpose: 'verify_account',
  email: user.email,
  createdAt: h.clock.now(),
  expiresAt: new Date(h.clock.now().getTime() + 1800_000),
  usedAt: null,
  supersededAt: null,
  ...fields,
});

/** What every OneTimeTokenRepository must do. */
export const oneTimeTokenRepositoryContract = (t: TapTest, makeRepos: MakeHarness): Promise<void> =>
  t
    .test('OneTimeTokenRepository contract', async (t) => {
      t.test('insert then find; unknown is null', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const token = newToken(h, user, { purpose: 'password_reset', email: null });
        await h.tokens.insert(token);
        t.same(await h.tokens.find(token.tokenHash), token);
        t.equal(await h.tokens.find(newHash()), null);
      });

      t.test(
        'consume: once, for the right purpose, before expiry, unless superseded',
        async (t) => {
          const h = await makeRepos();
          const user = await withUser(h);
          const token = newToken(h, user);
          await h.tokens.insert(token);
          t.equal(
            await h.tokens.consume(token.tokenHash, ['password_reset'], h.clock.now()),
            null,
            'another purpose',
          );
          h.clock.advance(1000);
          const used = await h.tokens.consume(
            token.tokenHash,
            ['verify_account', 'verify_email_change'],
            h.clock.now(),
          );
          t.same(used, { ...token, usedAt: h.clock.now() });
          t.equal(
            await h.tokens.consume(token.tokenHash, ['verify_account'], h.clock.now()),
            null,
            'used',
          );
          t.same((await h.tokens.find(token.tokenHash))?.usedAt, h.clock.now());

          const expiring = newToken(h, user, {
            expiresAt: new Date(h.clock.now().getTime() + 1000),
          });
          await h.tokens.insert(expiring);
          h.clock.advance(1000);
          t.equal(
            await h.tokens.consume(expiring.tokenHash, ['verify_account'], h.clock.now()),
            null,
            'expired',
          );
          t.equal(
            await h.tokens.consume(newHash(), ['verify_account'], h.clock.now()),
            null,
            'unknown',
          );
          t.equal(await h.tokens.consume(token.tokenHash, [], h.clock.now()), null, 'no purposes');
        },
      );

      t.test('supersede: live tokens of the purposes, but one', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const other = await withUser(h);
        const keep = newToken(h, user);
        const old = newToken(h, user);
        const reset = newToken(h, user, { purpose: 'password_reset' });
        const expired = newToken(h, user, { expiresAt: h.clock.now() });
        const foreign = newToken(h, other);
        for (const token of [keep, old, reset, expired, foreign]) await h.tokens.insert(token);
        h.clock.advance(1);
        t.equal(
          await h.tokens.supersede(user.id, ['verify_account'], h.clock.now(), keep.tokenHash),
          1,
        );
        t.same((await h.tokens.find(old.tokenHash))?.supersededAt, h.clock.now());
        t.equal((await h.tokens.find(keep.tokenHash))?.supersededAt, null);
        t.equal((await h.tokens.find(reset.tokenHash))?.supersededAt, null, 'other purposes stay');
        t.equal((await h.tokens.find(foreign.tokenHash))?.supersededAt, null, 'other users stay');
        t.equal(
          await h.tokens.consume(old.tokenHash, ['verify_account'], h.clock.now()),
          null,
          'superseded cannot be used',
        );
        t.equal(
          await h.tokens.supersede(user.id, ['verify_account', 'password_reset'], h.clock.now()),
          2,
        );
        t.equal(await h.tokens.supersede(user.id, [], h.clock.now()), 0);
      });

      t.test('of concurrent redemptions of one token, exactly one succeeds', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const token = newToken(h, user, { purpose: 'password_reset', email: null });
        await h.tokens.insert(token);
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            h.unitOfWork.run((repos) =>
              repos.tokens.consume(token.tokenHash, ['password_reset'], h.clock.now()),
            ),
          ),
        );
        t.equal(results.filter((r) => r !== null).length, 1);
      });
    })
    .then(() => undefined);
