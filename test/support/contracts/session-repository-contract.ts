import {
  gate,
  newHash,
  newSession,
  newUser,
  settled,
  waitFor,
  type MakeHarness,
  type TapTest,
} from './harness.js';
import type { PortHarness } from './harness.js';
import type { User } from '@latchkey/domain';

const withUser = async (h: PortHarness, fields: Partial<User> = {}): Promise<User> => {
  const user = newUser(h, fields);
  await h.users.insert(user);
  return user;
};

/** What every SessionRepository must do. */
export const sessionRepositoryContract = (t: TapTest, makeRepos: MakeHarness): Promise<void> =>
  t
    .test('SessionRepository contract', async (t) => {
      t.test('create stores the session and its first token', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const session = newSession(h, user);
        const hash = newHash();
        await h.sessions.create(session, hash);
        t.same(await h.sessions.findById(session.id), session);
        const found = await h.unitOfWork.run((repos) =>
          repos.sessions.findByTokenHashForUpdate(hash),
        );
        t.same(found, {
          session,
          token: {
            tokenHash: hash,
            sessionId: session.id,
            createdAt: session.createdAt,
            rotatedAt: null,
          },
        });
      });

      t.test('absent sessions and tokens are null', async (t) => {
        const h = await makeRepos();
        t.equal(await h.sessions.findById(h.ids.newId()), null);
        t.equal(await h.sessions.findById('nope'), null);
        t.equal(await h.sessions.findByTokenHashForUpdate(newHash()), null);
        t.equal(await h.sessions.authState(h.ids.newId()), null);
        t.equal(await h.sessions.authState('nope'), null);
      });

      t.test('rotate marks the old token once and adds the new one to the family', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const session = newSession(h, user);
        const [first, second, third] = [newHash(), newHash(), newHash()];
        await h.sessions.create(session, first);
        h.clock.advance(1000);
        const rotatedAt = h.clock.now();
        await h.sessions.rotate(session.id, first, second, rotatedAt);
        const old = await h.sessions.findByTokenHashForUpdate(first);
        t.same(old?.token.rotatedAt, rotatedAt, 'the old token is rotated');
        const next = await h.sessions.findByTokenHashForUpdate(second);
        t.same(next?.token, {
          tokenHash: second,
          sessionId: session.id,
          createdAt: rotatedAt,
          rotatedAt: null,
        });
        t.same(next?.session, session, 'same family');

        // A second exchange of the rotated token (the grace case) keeps its first rotation time.
        h.clock.advance(1000);
        await h.sessions.rotate(session.id, first, third, h.clock.now());
        t.same((await h.sessions.findByTokenHashForUpdate(first))?.token.rotatedAt, rotatedAt);
        t.equal((await h.sessions.findByTokenHashForUpdate(third))?.session.id, session.id);
        t.equal((await h.sessions.findByTokenHashForUpdate(second))?.token.rotatedAt, null);
      });

      t.test(
        'reuse detection data: a revoked family still answers its tokens, revoked',
        async (t) => {
          const h = await makeRepos();
          const user = await withUser(h);
          const session = newSession(h, user);
          const [first, second] = [newHash(), newHash()];
          await h.sessions.create(session, first);
          await h.sessions.rotate(session.id, first, second, h.clock.now());
          h.clock.advance(60_000);
          t.equal(await h.sessions.revoke(session.id, h.clock.now(), 'refresh_token_reuse'), true);
          const newest = await h.sessions.findByTokenHashForUpdate(second);
          t.same(
            newest?.session.revokedAt,
            h.clock.now(),
            'the newest token of the family is revoked too',
          );
        },
      );

      t.test('touch records the last use', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const session = newSession(h, user);
        await h.sessions.create(session, newHash());
        h.clock.advance(5000);
        await h.sessions.touch(session.id, h.clock.now());
        t.same((await h.sessions.findById(session.id))?.lastUsedAt, h.clock.now());
      });

      t.test('revoke: true once, then false; false when absent', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const session = newSession(h, user);
        await h.sessions.create(session, newHash());
        const at = h.clock.now();
        t.equal(await h.sessions.revoke(session.id, at, 'logout'), true);
        h.clock.advance(1000);
        t.equal(await h.sessions.revoke(session.id, h.clock.now(), 'logout'), false);
        t.same(
          (await h.sessions.findById(session.id))?.revokedAt,
          at,
          'the first revocation stands',
        );
        t.equal(await h.sessions.revoke(h.ids.newId(), at, 'logout'), false);
        t.equal(await h.sessions.revoke('nope', at, 'logout'), false);
      });

      t.test('listActive: live sessions of the user, newest first', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const other = await withUser(h);
        const older = newSession(h, user);
        h.clock.advance(1000);
        const newer = newSession(h, user);
        const revoked = newSession(h, user);
        const expired = newSession(h, user, { expiresAt: new Date(h.clock.now().getTime() + 500) });
        const foreign = newSession(h, other);
        for (const s of [older, newer, revoked, expired, foreign])
          await h.sessions.create(s, newHash());
        await h.sessions.revoke(revoked.id, h.clock.now(), 'logout');
        h.clock.advance(500);
        t.same(await h.sessions.listActive(user.id, h.clock.now()), [newer, older]);
        t.same(await h.sessions.listActive(h.ids.newId(), h.clock.now()), []);
      });

      t.test('revokeAllForUser revokes the live sessions but one, and counts them', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const other = await withUser(h);
        const keep = newSession(h, user);
        const a = newSession(h, user);
        const b = newSession(h, user);
        const already = newSession(h, user);
        const foreign = newSession(h, other);
        for (const s of [keep, a, b, already, foreign]) await h.sessions.create(s, newHash());
        await h.sessions.revoke(already.id, h.clock.now(), 'logout');
        h.clock.advance(1000);
        const at = h.clock.now();
        t.equal(await h.sessions.revokeAllForUser(user.id, at, 'password_changed', keep.id), 2);
        t.same(
          (await h.sessions.listActive(user.id, at)).map((s) => s.id),
          [keep.id],
        );
        t.same((await h.sessions.findById(a.id))?.revokedAt, at);
        t.not(
          (await h.sessions.findById(already.id))?.revokedAt?.getTime(),
          at.getTime(),
          'already revoked stays as it was',
        );
        t.equal((await h.sessions.listActive(other.id, at)).length, 1, 'other users are untouched');
        t.equal(
          await h.sessions.revokeAllForUser(user.id, at, 'account_deleted'),
          1,
          'without except: all',
        );
        t.same(await h.sessions.listActive(user.id, at), []);
      });

      t.test('authState reads session and user state together', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const session = newSession(h, user);
        await h.sessions.create(session, newHash());
        t.same(await h.sessions.authState(session.id), {
          sessionId: session.id,
          userId: user.id,
          revoked: false,
          expiresAt: session.expiresAt,
          tokensValidFrom: session.createdAt,
          userStatus: 'active',
          userDeleted: false,
        });
        await h.users.update({ ...user, status: 'suspended' });
        t.equal((await h.sessions.authState(session.id))?.userStatus, 'suspended');
        await h.users.update({ ...user, deletedAt: h.clock.now() });
        t.equal((await h.sessions.authState(session.id))?.userDeleted, true);
        await h.sessions.revoke(session.id, h.clock.now(), 'logout');
        t.equal((await h.sessions.authState(session.id))?.revoked, true);
      });

      t.test(
        'invalidateAccessTokens moves tokensValidFrom forward on live sessions only',
        async (t) => {
          const h = await makeRepos();
          const user = await withUser(h);
          const other = await withUser(h);
          const live = newSession(h, user);
          const revoked = newSession(h, user);
          const foreign = newSession(h, other);
          for (const s of [live, revoked, foreign]) await h.sessions.create(s, newHash());
          await h.sessions.revoke(revoked.id, h.clock.now(), 'logout');
          h.clock.advance(10_000);
          const from = h.clock.now();
          await h.sessions.invalidateAccessTokens(user.id, from);
          t.same((await h.sessions.authState(live.id))?.tokensValidFrom, from);
          t.same((await h.sessions.authState(revoked.id))?.tokensValidFrom, revoked.createdAt);
          t.same((await h.sessions.authState(foreign.id))?.tokensValidFrom, foreign.createdAt);
          await h.sessions.invalidateAccessTokens(user.id, new Date(from.getTime() - 5000));
          t.same((await h.sessions.authState(live.id))?.tokensValidFrom, from, 'never moved back');
        },
      );

      t.test('two refreshes of one token serialise on its lock', async (t) => {
        const h = await makeRepos();
        const user = await withUser(h);
        const session = newSession(h, user);
        const [token, fromFirst, fromSecond] = [newHash(), newHash(), newHash()];
        await h.sessions.create(session, token);
        const locked = gate();
        const release = gate();
        const first = h.unitOfWork.run(async (repos) => {
          const found = await repos.sessions.findByTokenHashForUpdate(token);
          locked.open();
          await release.promise;
          await repos.sessions.rotate(session.id, token, fromFirst, h.clock.now());
          return found;
        });
        await locked.promise;
        const second = h.unitOfWork.run(async (repos) => {
          const found = await repos.sessions.findByTokenHashForUpdate(token);
          if (found?.token.rotatedAt === null)
            await repos.sessions.rotate(session.id, token, fromSecond, h.clock.now());
          return found;
        });
        await waitFor(
          async () => (await h.blockedTransactions()) > 0,
          'the second refresh to wait',
        );
        t.notOk(await settled(second), 'the second refresh waits for the first');
        release.open();
        t.equal((await first)?.token.rotatedAt, null, 'the first sees the newest token');
        t.same((await second)?.token.rotatedAt, h.clock.now(), 'the second sees it rotated');
        t.ok(await h.sessions.findByTokenHashForUpdate(fromFirst));
        t.equal(await h.sessions.findByTokenHashForUpdate(fromSecond), null);
      });
    })
    .then(() => undefined);
