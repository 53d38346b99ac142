import t from 'tap';
import { makeAccountDeps } from '../../../test/support/in-memory/index.js';
import { logout } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };

t.test('revokes the session of the refresh token', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const { session, refreshToken } = await deps.seedSession(user);
  await logout(deps)({ refreshToken, sessionId: null }, context);
  t.same(deps.storedSession(session.id)?.session.revokedAt, deps.clock.now());
  t.equal(deps.storedSession(session.id)?.revokedReason, 'logout');
  t.same(
    deps.auditEvents().map((e) => [e.type, e.actorId, e.data]),
    [['user.logout', user.id, { sessionId: session.id }]],
  );
});

t.test('revokes the session of the bearer, and of both at once', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const a = await deps.seedSession(user);
  const b = await deps.seedSession(user);
  await logout(deps)({ refreshToken: null, sessionId: a.session.id }, context);
  t.not(deps.storedSession(a.session.id)?.session.revokedAt, null);
  t.equal(deps.storedSession(b.session.id)?.session.revokedAt, null);

  const c = await deps.seedSession(user);
  await logout(deps)({ refreshToken: c.refreshToken, sessionId: c.session.id }, context);
  t.not(deps.storedSession(c.session.id)?.session.revokedAt, null);
  t.equal(deps.auditEvents().length, 2, 'one audit row per session');
});

t.test('never fails: no session, an unknown token, an already revoked session', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const { session, refreshToken } = await deps.seedSession(user);
  await logout(deps)({ refreshToken: null, sessionId: null }, context);
  await logout(deps)({ refreshToken: 'unknown', sessionId: deps.ids.newId() }, context);
  await logout(deps)({ refreshToken, sessionId: null }, context);
  await logout(deps)({ refreshToken, sessionId: session.id }, context);
  t.equal(deps.auditEvents().length, 1, 'only the real revocation is audited');
});
