import { NotFoundError } from '@latchkey/domain';
import t from 'tap';
import { makeAccountDeps } from '../../../test/support/in-memory/index.js';
import { getProfile, listSessions, revokeSession } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };

t.test('lists the live sessions, newest first, marking the current one', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const other = await deps.seedUser();
  const older = await deps.seedSession(user);
  deps.clock.advance(1000);
  const newer = await deps.seedSession(user);
  const revoked = await deps.seedSession(user);
  await deps.sessions.revoke(revoked.session.id, deps.clock.now(), 'logout');
  await deps.seedSession(user, 1);
  await deps.seedSession(other);
  deps.clock.advance(1000);
  const list = await listSessions(deps)(user.id, older.session.id);
  t.same(
    list.map((s) => [s.id, s.current]),
    [
      [newer.session.id, false],
      [older.session.id, true],
    ],
  );
  t.match(list[0], { userAgent: 'test-agent', ip: '192.0.2.1' });
});

t.test("revokes one of the caller's sessions", async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const { session } = await deps.seedSession(user);
  await revokeSession(deps)(user.id, session.id, context);
  t.same(deps.storedSession(session.id)?.session.revokedAt, deps.clock.now());
  t.equal(deps.storedSession(session.id)?.revokedReason, 'revoked_by_user');
  t.same(
    deps.auditEvents().map((e) => [e.type, e.data]),
    [['session.revoked', { sessionId: session.id }]],
  );
});

t.test("another user's, an unknown, a revoked or an expired session is not found", async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const other = await deps.seedUser();
  const foreign = await deps.seedSession(other);
  const revoked = await deps.seedSession(user);
  const expiring = await deps.seedSession(user, 1);
  await revokeSession(deps)(user.id, revoked.session.id, context);
  deps.clock.advance(1000);
  const revoke = revokeSession(deps);
  await t.rejects(revoke(user.id, foreign.session.id, context), NotFoundError, "another user's");
  t.equal(deps.storedSession(foreign.session.id)?.session.revokedAt, null, 'and it stays live');
  await t.rejects(revoke(user.id, deps.ids.newId(), context), { code: 'not_found' }, 'unknown');
  await t.rejects(
    revoke(user.id, revoked.session.id, context),
    { code: 'not_found' },
    'already revoked',
  );
  await t.rejects(revoke(user.id, expiring.session.id, context), { code: 'not_found' }, 'expired');
  t.equal(deps.auditEvents().length, 1);
});

t.test('getProfile: the live user, else not found', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const gone = await deps.seedUser({ deletedAt: deps.clock.now() });
  t.same(await getProfile(deps)(user.id), user);
  await t.rejects(getProfile(deps)(gone.id), { code: 'not_found' });
  await t.rejects(getProfile(deps)(deps.ids.newId()), { code: 'not_found' });
});
