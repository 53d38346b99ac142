import { EmailTakenError } from '@latchkey/domain';
import { newHash, newSession, newUser, type MakeHarness, type TapTest } from './harness.js';

/** What every UnitOfWork must do: all of a run commits, or none of it. */
export const unitOfWorkContract = (t: TapTest, makeRepos: MakeHarness): Promise<void> =>
  t
    .test('UnitOfWork contract', async (t) => {
      t.test('commits everything together and returns what the work returns', async (t) => {
        const h = await makeRepos();
        const user = newUser(h, { roles: ['admin'] });
        const session = newSession(h, user);
        const result = await h.unitOfWork.run(async (repos) => {
          await repos.users.insert(user);
          await repos.sessions.create(session, newHash());
          await repos.audit.record({
            type: 'user.registered',
            actorId: user.id,
            targetId: user.id,
            ip: null,
            userAgent: null,
            data: {},
          });
          t.same(await repos.users.findById(user.id), user, 'the transaction reads its own writes');
          t.equal(await h.users.findById(user.id), null, 'others do not see them before commit');
          return 42;
        });
        t.equal(result, 42);
        t.same(await h.users.findById(user.id), user);
        t.same(await h.sessions.findById(session.id), session);
        t.same(
          (await h.auditEvents()).map((e) => e.type),
          ['user.registered'],
        );
      });

      t.test(
        'rolls everything back when the work throws, and rethrows the same error',
        async (t) => {
          const h = await makeRepos();
          const existing = newUser(h);
          await h.users.insert(existing);
          const user = newUser(h);
          const session = newSession(h, user);
          const boom = new Error('boom');
          const thrown = await h.unitOfWork
            .run(async (repos) => {
              await repos.users.insert(user);
              await repos.sessions.create(session, newHash());
              await repos.users.update({ ...existing, displayName: 'changed' });
              await repos.users.setRoles(existing.id, ['admin']);
              await repos.sessions.invalidateAccessTokens(user.id, h.clock.now());
              await repos.audit.record({
                type: 'user.registered',
                actorId: user.id,
                targetId: user.id,
                ip: null,
                userAgent: null,
                data: {},
              });
              throw boom;
            })
            .catch((err: unknown) => err);
          t.equal(thrown, boom);
          t.equal(await h.users.findById(user.id), null);
          t.equal(await h.sessions.findById(session.id), null);
          t.same(await h.users.findById(existing.id), existing, 'updates are undone');
          t.same(await h.auditEvents(), [], 'the audit row written before the throw is gone');
        },
      );

      t.test('a domain error from a repository rolls back what came before it', async (t) => {
        const h = await makeRepos();
        const holder = newUser(h, { email: 'holder@example.com' });
        await h.users.insert(holder);
        const user = newUser(h, { email: 'HOLDER@example.com' });
        await t.rejects(
          h.unitOfWork.run(async (repos) => {
            await repos.audit.record({
              type: 'user.registered',
              actorId: null,
              targetId: null,
              ip: null,
              userAgent: null,
              data: {},
            });
            await repos.users.insert(user);
          }),
          EmailTakenError,
        );
        t.same(await h.auditEvents(), []);
      });

      t.test('a later run works after a rollback', async (t) => {
        const h = await makeRepos();
        await t.rejects(h.unitOfWork.run(async () => Promise.reject(new Error('first'))));
        const user = newUser(h);
        await h.unitOfWork.run((repos) => repos.users.insert(user));
        t.ok(await h.users.findById(user.id));
      });
    })
    .then(() => undefined);
