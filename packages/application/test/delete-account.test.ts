import { LastAdminError } from '@latchkey/domain';
import t from 'tap';
import { makeAccountDeps } from '../../../test/support/in-memory/index.js';
import { deleteAccount, guardLastAdmin } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };

t.test('soft-deletes the account and revokes every session', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const a = await deps.seedSession(user);
  const b = await deps.seedSession(user);
  deps.clock.advance(1000);
  const deleted = await deleteAccount(deps)(user.id, context);
  t.same(deleted.deletedAt, deps.clock.now());
  t.same(await deps.users.findById(user.id), deleted);
  for (const { session } of [a, b]) {
    t.same(deps.storedSession(session.id)?.session.revokedAt, deps.clock.now());
    t.equal(deps.storedSession(session.id)?.revokedReason, 'account_deleted');
  }
  t.same(
    deps.auditEvents().map((e) => [e.type, e.actorId, e.targetId]),
    [['user.deleted', user.id, user.id]],
  );
  await t.rejects(deleteAccount(deps)(user.id, context), { code: 'not_found' }, 'twice: not found');
});

t.test('the last live, unsuspended admin cannot delete itself', async (t) => {
  const deps = makeAccountDeps();
  const admin = await deps.seedUser({ roles: ['admin'] });
  await deps.seedUser({ roles: ['admin'], status: 'suspended' });
  await deps.seedUser({ roles: ['admin'], deletedAt: deps.clock.now() });
  const { session } = await deps.seedSession(admin);
  await t.rejects(deleteAccount(deps)(admin.id, context), LastAdminError);
  t.equal((await deps.users.findById(admin.id))?.deletedAt, null);
  t.equal(deps.storedSession(session.id)?.session.revokedAt, null, 'sessions untouched');
  t.same(deps.auditEvents(), []);
});

t.test('an admin may leave while another admin remains; then the other may not', async (t) => {
  const deps = makeAccountDeps();
  const a = await deps.seedUser({ roles: ['admin'] });
  const b = await deps.seedUser({ roles: ['admin', 'user'] });
  t.ok(await deleteAccount(deps)(a.id, context));
  await t.rejects(deleteAccount(deps)(b.id, context), LastAdminError);
});

t.test('two admins deleting themselves at once: one succeeds', async (t) => {
  const deps = makeAccountDeps();
  const a = await deps.seedUser({ roles: ['admin'] });
  const b = await deps.seedUser({ roles: ['admin'] });
  const results = await Promise.allSettled([
    deleteAccount(deps)(a.id, context),
    deleteAccount(deps)(b.id, context),
  ]);
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  t.type(
    results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason,
    LastAdminError,
  );
});

t.test('guardLastAdmin ignores non-admins and admins not in the locked set', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ roles: ['user'] });
  const suspendedAdmin = await deps.seedUser({ roles: ['admin'], status: 'suspended' });
  await deps.unitOfWork.run(async (repos) => {
    await guardLastAdmin(repos, user);
    await guardLastAdmin(repos, suspendedAdmin);
  });
  t.pass('no LastAdminError');
});
