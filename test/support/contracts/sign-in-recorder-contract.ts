import type { SignIn, User } from '@latchkey/domain';
import {
  gate,
  newSignIn,
  newUser,
  settled,
  waitFor,
  type MakeHarness,
  type PortHarness,
  type TapTest,
} from './harness.js';

/** Asserts that `signIn` left no trace: no stamp, no session, no token, no audit row. */
const nothingWritten = async (t: TapTest, h: PortHarness, signIn: SignIn, what: string) => {
  t.same((await h.users.findById(signIn.user.id))?.lastLoginAt ?? null, null, `${what}: no stamp`);
  t.same(await h.sessions.listActive(signIn.user.id, signIn.at), [], `${what}: no session`);
  t.equal(
    await h.sessions.findByTokenHashForUpdate(signIn.refreshTokenHash),
    null,
    `${what}: no refresh token`,
  );
  t.same(await h.auditEvents(), [], `${what}: no audit row`);
};

/** What every SignInRecorder must do. */
export const signInRecorderContract = (t: TapTest, makeRepos: MakeHarness): Promise<void> =>
  t
    .test('SignInRecorder contract', async (t) => {
      t.test('an unchanged user: the stamp, the session, its token and the event', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { roles: ['support', 'user'], displayName: 'Ada' });
        await h.users.insert(user);
        const signIn = newSignIn(h, user);
        t.equal(await h.signIns.recordIfUnchanged(signIn), true);
        t.same(await h.users.findById(user.id), { ...user, lastLoginAt: signIn.at });
        t.same(await h.sessions.listActive(user.id, signIn.at), [signIn.session]);
        const found = await h.sessions.findByTokenHashForUpdate(signIn.refreshTokenHash);
        t.same(found?.session, signIn.session, 'the refresh token opens the session');
        t.same(found?.token, {
          tokenHash: signIn.refreshTokenHash,
          sessionId: signIn.session.id,
          createdAt: signIn.at,
          rotatedAt: null,
        });
        const state = await h.sessions.authState(signIn.session.id);
        t.same(state?.tokensValidFrom, signIn.at, 'tokens are valid from the session start');
        const [row, ...more] = await h.auditEvents();
        t.same(more, []);
        t.match(row, { ...signIn.event, createdAt: h.clock.now() });
        t.type(row?.id, 'string');
      });

      t.test('roles are compared as a set; lastLoginAt is not compared', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { roles: ['support', 'user'] });
        await h.users.insert(user);
        await h.users.recordSignIn(user.id, new Date(h.clock.now().getTime() + 1000));
        const signIn = newSignIn(h, { ...user, roles: ['user', 'support', 'user'] });
        t.equal(await h.signIns.recordIfUnchanged(signIn), true, 'another sign-in meanwhile');
        t.same((await h.users.findById(user.id))?.lastLoginAt, signIn.at);
      });

      t.test('a user without roles, password or display name', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { roles: [], passwordHash: null, displayName: null });
        await h.users.insert(user);
        t.equal(await h.signIns.recordIfUnchanged(newSignIn(h, user)), true);
      });

      t.test('any other field changed since the read: false, nothing written', async (t) => {
        const later = new Date('2031-01-01T00:00:00.001Z');
        const changes: Array<[string, Partial<User>]> = [
          ['email', { email: 'moved@example.com' }],
          ['pendingEmail', { pendingEmail: 'next@example.com' }],
          ['displayName', { displayName: 'Renamed' }],
          ['status', { status: 'suspended' }],
          ['passwordHash', { passwordHash: 'another hash' }],
          ['emailVerifiedAt', { emailVerifiedAt: null }],
          ['deletedAt', { deletedAt: later }],
          ['updatedAt', { updatedAt: later }],
        ];
        for (const [field, change] of changes) {
          const h = await makeRepos();
          const user = newUser(h);
          await h.users.insert(user);
          const stored = { ...user, ...change };
          await h.users.update(stored);
          const signIn = newSignIn(h, user);
          t.equal(await h.signIns.recordIfUnchanged(signIn), false, field);
          await nothingWritten(t, h, signIn, field);
          t.same(await h.users.findById(user.id), stored, `${field}: the user is as it was`);
        }
      });

      t.test('roles changed since the read, either way: false, nothing written', async (t) => {
        for (const [what, stored] of [
          ['a role added', ['admin', 'user']],
          ['a role removed', []],
        ] as const) {
          const h = await makeRepos();
          const user = newUser(h, { roles: ['user'] });
          await h.users.insert(user);
          await h.users.setRoles(user.id, stored);
          const signIn = newSignIn(h, user);
          t.equal(await h.signIns.recordIfUnchanged(signIn), false, what);
          await nothingWritten(t, h, signIn, what);
        }
      });

      t.test('an absent user or an id that is not one: false, nothing written', async (t) => {
        const h = await makeRepos();
        for (const user of [newUser(h), newUser(h, { id: 'not-a-uuid' })]) {
          const signIn = newSignIn(h, user);
          t.equal(await h.signIns.recordIfUnchanged(signIn), false, user.id);
          t.same(await h.auditEvents(), []);
        }
      });

      t.test(
        'a role change committed while the write waits for the row: false, nothing written',
        async (t) => {
          const h = await makeRepos();
          const user = newUser(h, { roles: ['user'] });
          await h.users.insert(user);
          const locked = gate();
          const release = gate();
          // Rewrites the row without changing any field the write compares: only its roles.
          const change = h.unitOfWork.run(async (repos) => {
            await repos.users.findByIdForUpdate(user.id);
            locked.open();
            await release.promise;
            await repos.users.update(user);
            await repos.users.setRoles(user.id, ['admin', 'user']);
          });
          await locked.promise;
          const signIn = newSignIn(h, user);
          const recorded = h.signIns.recordIfUnchanged(signIn);
          await waitFor(async () => (await h.blockedTransactions()) > 0, 'the write to wait');
          t.notOk(await settled(recorded), 'the write waits for the row lock');
          release.open();
          await change;
          t.equal(await recorded, false, 'and then sees the change');
          await nothingWritten(t, h, signIn, 'after the wait');
          t.same((await h.users.findById(user.id))?.roles, ['admin', 'user']);
        },
      );

      t.test('a session id taken: it throws and writes nothing', async (t) => {
        const h = await makeRepos();
        const user = newUser(h);
        await h.users.insert(user);
        const first = newSignIn(h, user);
        t.equal(await h.signIns.recordIfUnchanged(first), true);
        const stamped = await h.users.findById(user.id);
        if (stamped === null) throw new Error('the user is gone');
        h.clock.advance(1000);
        const again = { ...newSignIn(h, stamped), session: first.session };
        await t.rejects(h.signIns.recordIfUnchanged(again));
        t.same((await h.users.findById(user.id))?.lastLoginAt, first.at, 'the stamp rolled back');
        t.equal((await h.auditEvents()).length, 1, 'no second audit row');
      });
    })
    .then(() => undefined);
