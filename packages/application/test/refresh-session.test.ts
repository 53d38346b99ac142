import { InvalidRefreshTokenError } from '@latchkey/domain';
import t from 'tap';
import { makeAccountDeps } from '../../../test/support/in-memory/index.js';
import { login, refreshSession } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };
const PASSWORD = 'correct horse battery';

const signedIn = async (roles: string[] = ['user']) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'ref@example.com', roles });
  const first = await login(deps)({ email: 'ref@example.com', password: PASSWORD }, context);
  const sid = deps.accessTokens.decode(first.accessToken).sid;
  return { deps, user, first, sid, refresh: refreshSession(deps) };
};

t.test('rotates: a new pair in the same session, the old token marked rotated', async (t) => {
  const { deps, user, first, sid, refresh } = await signedIn();
  deps.clock.advance(3600_000);
  const pair = await refresh(first.refresh.token, context);
  t.not(pair.refresh.token, first.refresh.token);
  t.equal(
    pair.refresh.maxAge,
    deps.settings.refreshTokenTtl - 3600,
    'rotation does not extend the session',
  );
  t.same(deps.accessTokens.decode(pair.accessToken), {
    sub: user.id,
    sid,
    roles: ['user'],
    perms: [],
  });
  const old = await deps.sessions.findByTokenHashForUpdate(deps.secrets.hash(first.refresh.token));
  t.same(old?.token.rotatedAt, deps.clock.now());
  const next = await deps.sessions.findByTokenHashForUpdate(deps.secrets.hash(pair.refresh.token));
  t.equal(next?.session.id, sid);
  t.same(next?.session.lastUsedAt, deps.clock.now(), 'the session was touched');
});

t.test('a refresh carries the current roles and permissions', async (t) => {
  const { deps, user, first, refresh } = await signedIn();
  await deps.users.setRoles(user.id, ['support', 'user']);
  const pair = await refresh(first.refresh.token, context);
  t.match(deps.accessTokens.decode(pair.accessToken), {
    roles: ['support', 'user'],
    perms: ['users:read'],
  });
});

t.test(
  'grace: a rotated token within REFRESH_REUSE_GRACE gets a new pair in the same family',
  async (t) => {
    const { deps, first, sid, refresh } = await signedIn();
    const second = await refresh(first.refresh.token, context);
    deps.clock.advance(10_000);
    const again = await refresh(first.refresh.token, context);
    t.equal(deps.accessTokens.decode(again.accessToken).sid, sid, 'same family');
    t.not(again.refresh.token, second.refresh.token);
    t.equal(deps.storedSession(sid)?.session.revokedAt, null, 'not revoked');
    t.ok(await refresh(second.refresh.token, context), "the other tab's token still works");
    t.ok(await refresh(again.refresh.token, context));
    t.same(
      deps.auditEvents().filter((e) => e.type === 'session.refresh_reuse'),
      [],
    );
  },
);

t.test('reuse after the grace revokes the family, and that revocation commits', async (t) => {
  const { deps, user, first, sid, refresh } = await signedIn();
  const second = await refresh(first.refresh.token, context);
  deps.clock.advance(10_001);
  await t.rejects(refresh(first.refresh.token, context), InvalidRefreshTokenError);
  t.same(deps.storedSession(sid)?.session.revokedAt, deps.clock.now(), 'the session is revoked');
  t.equal(deps.storedSession(sid)?.revokedReason, 'refresh_token_reuse');
  t.same(
    deps
      .auditEvents()
      .filter((e) => e.type === 'session.refresh_reuse')
      .map((e) => [e.targetId, e.data, e.ip]),
    [[user.id, { sessionId: sid }, context.ip]],
  );
  await t.rejects(
    refresh(second.refresh.token, context),
    InvalidRefreshTokenError,
    'the newest token dies too',
  );
});

t.test('unknown, expired, revoked: invalid_refresh_token', async (t) => {
  const { deps, first, sid, refresh } = await signedIn();
  await t.rejects(refresh('not-a-token', context), InvalidRefreshTokenError, 'unknown');

  const expiring = await signedIn();
  expiring.deps.clock.advance(expiring.deps.settings.refreshTokenTtl * 1000);
  await t.rejects(
    expiring.refresh(expiring.first.refresh.token, context),
    InvalidRefreshTokenError,
    'expired',
  );

  await deps.sessions.revoke(sid, deps.clock.now(), 'logout');
  await t.rejects(refresh(first.refresh.token, context), InvalidRefreshTokenError, 'revoked');
  t.equal(
    deps.auditEvents().filter((e) => e.type === 'session.refresh_reuse').length,
    0,
    'not reuse',
  );
});

t.test('a suspended or deleted user cannot refresh', async (t) => {
  const suspended = await signedIn();
  await suspended.deps.users.update({ ...suspended.user, status: 'suspended' });
  await t.rejects(
    suspended.refresh(suspended.first.refresh.token, context),
    InvalidRefreshTokenError,
    'suspended',
  );
  const rotated = await suspended.deps.sessions.findByTokenHashForUpdate(
    suspended.deps.secrets.hash(suspended.first.refresh.token),
  );
  t.equal(rotated?.token.rotatedAt, null, 'nothing rotated');

  const deleted = await signedIn();
  await deleted.deps.users.update({ ...deleted.user, deletedAt: deleted.deps.clock.now() });
  await t.rejects(
    deleted.refresh(deleted.first.refresh.token, context),
    InvalidRefreshTokenError,
    'deleted',
  );
});

t.test(
  'two concurrent refreshes with one token both succeed (the second within grace)',
  async (t) => {
    const { deps, first, sid, refresh } = await signedIn();
    const [a, b] = await Promise.all([
      refresh(first.refresh.token, context),
      refresh(first.refresh.token, context),
    ]);
    t.not(a.refresh.token, b.refresh.token);
    t.equal(deps.storedSession(sid)?.session.revokedAt, null);
  },
);
