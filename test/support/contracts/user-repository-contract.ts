import { EmailTakenError, ValidationError } from '@latchkey/domain';
import { gate, newUser, settled, waitFor, type MakeHarness, type TapTest } from './harness.js';

/** What every UserRepository must do. */
export const userRepositoryContract = (t: TapTest, makeRepos: MakeHarness): Promise<void> =>
  t
    .test('UserRepository contract', async (t) => {
      t.test('insert then findById returns the same user, roles sorted by name', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, {
          pendingEmail: 'next@example.com',
          displayName: 'Ada',
          status: 'unverified',
          roles: ['user', 'support'],
          emailVerifiedAt: null,
          lastLoginAt: new Date('2029-12-31T23:59:59.123Z'),
        });
        await h.users.insert(user);
        t.same(await h.users.findById(user.id), { ...user, roles: ['support', 'user'] });
      });

      t.test('a user without roles and without a password', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { roles: [], passwordHash: null, displayName: null });
        await h.users.insert(user);
        t.same(await h.users.findById(user.id), user);
      });

      t.test('findById: null when absent or not an id', async (t) => {
        const h = await makeRepos();
        t.equal(await h.users.findById(h.ids.newId()), null);
        t.equal(await h.users.findById('not-a-uuid'), null);
        t.equal(await h.users.findByIdForUpdate('not-a-uuid'), null);
      });

      t.test(
        'findByEmail ignores case and surrounding spaces, and finds deleted users',
        async (t) => {
          const h = await makeRepos();
          const user = newUser(h, { email: 'Mixed.Case@Example.com', deletedAt: h.clock.now() });
          await h.users.insert(user);
          t.same((await h.users.findByEmail('mixed.case@example.COM'))?.id, user.id);
          t.same(await h.users.findByEmail('  MIXED.CASE@example.com '), user);
          t.equal(await h.users.findByEmail('other@example.com'), null);
        },
      );

      t.test(
        'insert refuses an email taken in another case, deleted accounts included',
        async (t) => {
          const h = await makeRepos();
          const first = newUser(h, { email: 'taken@example.com', deletedAt: h.clock.now() });
          await h.users.insert(first);
          const second = newUser(h, { email: 'TAKEN@example.com', roles: ['admin'] });
          await t.rejects(h.users.insert(second), EmailTakenError);
          t.equal(await h.users.findById(second.id), null);
          t.same(await h.users.findById(first.id), first);
        },
      );

      t.test('insert with an unknown role writes nothing', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { roles: ['user', 'no-such-role'] });
        await t.rejects(h.users.insert(user), ValidationError);
        t.equal(await h.users.findById(user.id), null);
        t.equal(await h.users.findByEmail(user.email), null);
      });

      t.test('update saves every field but roles', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { roles: ['support'] });
        await h.users.insert(user);
        h.clock.advance(60_000);
        const changed = {
          ...user,
          email: 'changed@example.com',
          pendingEmail: 'pending@example.com',
          displayName: null,
          status: 'suspended' as const,
          passwordHash: null,
          roles: ['admin'],
          emailVerifiedAt: null,
          lastLoginAt: h.clock.now(),
          deletedAt: h.clock.now(),
          updatedAt: h.clock.now(),
        };
        await h.users.update(changed);
        t.same(await h.users.findById(user.id), { ...changed, roles: ['support'] });
      });

      t.test(
        "update refuses another user's email, but a user may change its own case",
        async (t) => {
          const h = await makeRepos();
          const a = newUser(h, { email: 'a@example.com' });
          const b = newUser(h, { email: 'b@example.com' });
          await h.users.insert(a);
          await h.users.insert(b);
          await t.rejects(h.users.update({ ...b, email: 'A@EXAMPLE.COM' }), EmailTakenError);
          t.equal((await h.users.findById(b.id))?.email, 'b@example.com');
          await h.users.update({ ...a, email: 'A@Example.com' });
          t.equal((await h.users.findById(a.id))?.email, 'A@Example.com');
        },
      );

      t.test('setRoles replaces the roles; an unknown role changes nothing', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { roles: ['user', 'support'] });
        await h.users.insert(user);
        await h.users.setRoles(user.id, ['admin', 'user', 'admin']);
        t.same((await h.users.findById(user.id))?.roles, ['admin', 'user']);
        await t.rejects(h.users.setRoles(user.id, ['support', 'root']), ValidationError);
        t.same((await h.users.findById(user.id))?.roles, ['admin', 'user']);
        await h.users.setRoles(user.id, []);
        t.same((await h.users.findById(user.id))?.roles, []);
        await h.users.setRoles(h.ids.newId(), ['user']);
        t.pass('setRoles of an absent user is a no-op');
      });

      t.test('findByIdForUpdate reads the user inside a transaction', async (t) => {
        const h = await makeRepos();
        const user = newUser(h);
        await h.users.insert(user);
        const found = await h.unitOfWork.run((repos) => repos.users.findByIdForUpdate(user.id));
        t.same(found, user);
        t.equal(
          await h.unitOfWork.run((repos) => repos.users.findByIdForUpdate(h.ids.newId())),
          null,
        );
      });

      t.test('recordSignIn sets lastLoginAt only; nothing for an absent user', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { lastLoginAt: null });
        await h.users.insert(user);
        const at = new Date('2031-02-03T04:05:06.789Z');
        await h.unitOfWork.run((repos) => repos.users.recordSignIn(user.id, at));
        t.same(await h.users.findById(user.id), { ...user, lastLoginAt: at });
        await h.users.recordSignIn(h.ids.newId(), at);
        await h.users.recordSignIn('not-a-uuid', at);
        t.pass('absent users are a no-op');
      });

      t.test('recordSignIn holds the row lock until the transaction ends', async (t) => {
        const h = await makeRepos();
        const user = newUser(h);
        await h.users.insert(user);
        const first = new Date('2031-01-01T00:00:00.000Z');
        const second = new Date('2031-01-01T00:00:01.000Z');
        const locked = gate();
        const release = gate();
        const holder = h.unitOfWork.run(async (repos) => {
          await repos.users.recordSignIn(user.id, first);
          locked.open();
          await release.promise;
          await repos.users.update({ ...user, lastLoginAt: first, displayName: 'Held' });
        });
        await locked.promise;
        const waiter = h.unitOfWork.run(async (repos) => {
          await repos.users.findByIdForUpdate(user.id);
          return repos.users.findById(user.id);
        });
        await waitFor(async () => (await h.blockedTransactions()) > 0, 'the second locker to wait');
        t.notOk(await settled(waiter), 'a locking read waits for the sign-in');
        release.open();
        await holder;
        t.match(await waiter, { displayName: 'Held', lastLoginAt: first }, 'and then sees it');
        await h.users.recordSignIn(user.id, second);
        t.same((await h.users.findById(user.id))?.lastLoginAt, second);
      });

      t.test('lockActiveAdmins: live, unsuspended admins only, by id', async (t) => {
        const h = await makeRepos();
        const admins = [newUser(h, { roles: ['admin'] }), newUser(h, { roles: ['admin', 'user'] })];
        const others = [
          newUser(h, { roles: ['admin'], status: 'suspended' }),
          newUser(h, { roles: ['admin'], deletedAt: h.clock.now() }),
          newUser(h, { roles: ['support', 'user'] }),
          newUser(h, { roles: ['admin'], status: 'unverified' }),
        ];
        for (const u of [...admins, ...others]) await h.users.insert(u);
        const expected = [...admins.map((u) => u.id), others[3]!.id].sort();
        t.same(await h.unitOfWork.run((repos) => repos.users.lockActiveAdmins()), expected);
      });

      t.test('lockActiveAdmins serialises two admins removing each other', async (t) => {
        const h = await makeRepos();
        const a = newUser(h, { roles: ['admin'] });
        const b = newUser(h, { roles: ['admin'] });
        await h.users.insert(a);
        await h.users.insert(b);
        const locked = gate();
        const release = gate();
        const first = h.unitOfWork.run(async (repos) => {
          const seen = await repos.users.lockActiveAdmins();
          locked.open();
          await release.promise;
          await repos.users.update({ ...a, deletedAt: h.clock.now() });
          return seen;
        });
        await locked.promise;
        const second = h.unitOfWork.run((repos) => repos.users.lockActiveAdmins());
        await waitFor(async () => (await h.blockedTransactions()) > 0, 'the second locker to wait');
        t.notOk(await settled(second), 'the second transaction waits for the first');
        release.open();
        t.same(await first, [a.id, b.id].sort());
        t.same(await second, [b.id], "the second sees the first one's change");
      });

      t.test('race: 20 inserts of one email in different cases, exactly one wins', async (t) => {
        const h = await makeRepos();
        const local = 'Race.Winner';
        const spellings = Array.from({ length: 20 }, (_, i) =>
          [...`${local}@example.com`]
            .map((c, j) => ((i >> (j % 5)) & 1 ? c.toUpperCase() : c.toLowerCase()))
            .join(''),
        );
        const users = spellings.map((email) => newUser(h, { email }));
        const results = await Promise.allSettled(users.map((u) => h.users.insert(u)));
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        t.equal(won.length, 1, 'one insert succeeds');
        t.equal(lost.length, 19, 'nineteen fail');
        t.ok(
          lost.every((r) => r.reason instanceof EmailTakenError),
          'each with EmailTakenError',
        );
        const winner = users[results.findIndex((r) => r.status === 'fulfilled')]!;
        t.same((await h.users.findByEmail('race.winner@example.com'))?.id, winner.id);
      });
    })
    .then(() => undefined);
