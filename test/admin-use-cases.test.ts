import t from 'tap';
import {
  CachedRoleCatalogue,
  InProcessPermissionCache,
  OPERATOR,
  adminCreateUser,
  adminDeleteUser,
  adminGetUser,
  adminListUsers,
  adminRestoreUser,
  adminUpdateUser,
  deleteAccount,
  listAuditEvents,
  login,
  permissionsFor,
  refreshSession,
  type Actor,
  type AdminDeps,
} from '@latchkey/application';
import {
  AlreadyDeletedError,
  EmailTakenError,
  ForbiddenError,
  LastAdminError,
  NotDeletedError,
  NotFoundError,
  PERMISSIONS,
  ValidationError,
  type CachedPermissions,
  type PermissionCache,
  type UnitOfWork,
  type UserId,
} from '@latchkey/domain';
import {
  InMemoryAuditTrail,
  InMemoryUserDirectory,
  makeAccountDeps,
  type TestAccountDeps,
} from './support/in-memory/index.js';

const CONTEXT = { ip: '192.0.2.9', userAgent: 'admin-test' };

/** A cache that records invalidations, over the in-process one. */
class RecordingCache implements PermissionCache {
  readonly invalidated: UserId[] = [];
  constructor(readonly inner: PermissionCache) {}
  get(userId: UserId) {
    return this.inner.get(userId);
  }
  set(userId: UserId, entry: CachedPermissions) {
    return this.inner.set(userId, entry);
  }
  async invalidate(userId: UserId) {
    this.invalidated.push(userId);
    await this.inner.invalidate(userId);
  }
}

const setup = (unitOfWork?: (deps: TestAccountDeps) => UnitOfWork) => {
  const deps = makeAccountDeps();
  const access = deps.db.autocommit();
  const cache = new RecordingCache(new InProcessPermissionCache(deps.clock));
  const admin: AdminDeps = {
    users: deps.users,
    roles: deps.roles,
    directory: new InMemoryUserDirectory(access),
    auditTrail: new InMemoryAuditTrail(access),
    unitOfWork: unitOfWork ? unitOfWork(deps) : deps.unitOfWork,
    permissionCache: cache,
    hasher: deps.hasher,
    clock: deps.clock,
    ids: deps.ids,
  };
  return { deps, admin, cache };
};

const actorOf = (userId: string, permissions = [...PERMISSIONS]): Actor => ({
  userId,
  permissions,
});
const types = (deps: TestAccountDeps) => deps.auditEvents().map((e) => e.type);

t.test(
  'update: an admin-set email applies at once, as verified, and notifies the old address',
  async (t) => {
    const { deps, admin } = setup();
    const boss = await deps.seedUser({ roles: ['admin'] });
    const target = await deps.seedUser({
      email: 'old@example.com',
      status: 'unverified',
      pendingEmail: 'pending@example.com',
    });
    const updated = await adminUpdateUser(admin)(
      actorOf(boss.id),
      target.id,
      { email: ' New@Example.com ' },
      CONTEXT,
    );
    t.equal(updated.email, 'New@Example.com');
    t.equal(updated.pendingEmail, null);
    t.equal(updated.status, 'active');
    t.ok(updated.emailVerifiedAt);
    t.same(updated.permissions, []);
    t.same((await deps.users.findById(target.id))?.email, 'New@Example.com');
    const [event] = deps.auditEvents();
    t.match(event, {
      type: 'admin.user_updated',
      actorId: boss.id,
      targetId: target.id,
      ...CONTEXT,
    });
    t.same(event?.data, { fields: ['email', 'status'] }, 'verifying made it active');
    t.match(deps.mailCalls().at(-1), { kind: 'emailChanged', oldEmail: 'old@example.com' });

    const other = await deps.seedUser({ email: 'taken@example.com' });
    await t.rejects(
      adminUpdateUser(admin)(actorOf(boss.id), target.id, { email: 'TAKEN@example.com' }, CONTEXT),
      EmailTakenError,
    );
    t.equal(deps.auditEvents().length, 1, 'no audit row for a refused change');
    t.ok(other);
  },
);

t.test(
  'update: roles need roles:assign, must exist, keep sessions and stamp tokensValidFrom',
  async (t) => {
    const { deps, admin, cache } = setup();
    const boss = await deps.seedUser({ roles: ['admin'] });
    const target = await deps.seedUser();
    const { session } = await deps.seedSession(target);
    const update = adminUpdateUser(admin);

    const writer = actorOf(boss.id, ['users:read', 'users:write']);
    await t.rejects(update(writer, target.id, { roles: ['support'] }, CONTEXT), ForbiddenError);
    await t.rejects(
      update(writer, deps.ids.newId(), { roles: ['user'] }, CONTEXT),
      ForbiddenError,
      '403 before 404',
    );
    await t.rejects(
      update(actorOf(boss.id), target.id, { roles: ['wizard'] }, CONTEXT),
      ValidationError,
    );
    t.same(deps.auditEvents(), []);

    const before = deps.clock.now().getTime();
    const changed = await update(
      actorOf(boss.id),
      target.id,
      { roles: ['support', 'user', 'support'] },
      CONTEXT,
    );
    t.same(changed.roles, ['support', 'user']);
    t.same(changed.permissions, ['users:read']);
    const stored = deps.storedSession(session.id);
    t.equal(stored?.session.revokedAt, null, 'the session stays');
    t.ok((stored?.tokensValidFrom.getTime() ?? 0) > before, 'tokens issued before the change fail');
    t.match(deps.auditEvents(), [
      { type: 'admin.roles_changed', data: { from: ['user'], to: ['support', 'user'] } },
    ]);
    t.same(cache.invalidated, [target.id]);

    await update(actorOf(boss.id), target.id, { roles: ['user', 'support'] }, CONTEXT);
    t.equal(types(deps).at(-1), 'admin.user_updated', 'the same roles are no role change');
    t.same(cache.invalidated, [target.id]);
  },
);

t.test('update: suspension revokes every session; unsuspension is audited', async (t) => {
  const { deps, admin } = setup();
  const boss = await deps.seedUser({ roles: ['admin'] });
  const target = await deps.seedUser();
  const a = await deps.seedSession(target);
  const b = await deps.seedSession(target);
  const suspended = await adminUpdateUser(admin)(
    actorOf(boss.id),
    target.id,
    { status: 'suspended' },
    CONTEXT,
  );
  t.equal(suspended.status, 'suspended');
  t.not(deps.storedSession(a.session.id)?.session.revokedAt, null);
  t.not(deps.storedSession(b.session.id)?.session.revokedAt, null);
  t.equal(deps.storedSession(a.session.id)?.revokedReason, 'suspended');
  const back = await adminUpdateUser(admin)(
    actorOf(boss.id),
    target.id,
    { status: 'active', displayName: 'Back' },
    CONTEXT,
  );
  t.equal(back.status, 'active');
  t.same(types(deps), ['admin.user_suspended', 'admin.user_unsuspended', 'admin.user_updated']);
  t.same(deps.auditEvents()[2]?.data, { fields: ['displayName'] });
  const unverified = await adminUpdateUser(admin)(
    actorOf(boss.id),
    target.id,
    { status: 'unverified' },
    CONTEXT,
  );
  t.equal(unverified.emailVerifiedAt, null);
});

t.test('update: a deleted or unknown user is not found', async (t) => {
  const { deps, admin } = setup();
  const boss = await deps.seedUser({ roles: ['admin'] });
  const gone = await deps.seedUser({ deletedAt: deps.clock.now() });
  await t.rejects(
    adminUpdateUser(admin)(actorOf(boss.id), gone.id, { displayName: 'x' }, CONTEXT),
    NotFoundError,
  );
  await t.rejects(
    adminUpdateUser(admin)(actorOf(boss.id), deps.ids.newId(), {}, CONTEXT),
    NotFoundError,
  );
  await t.rejects(adminGetUser(admin)(deps.ids.newId()), NotFoundError);
  t.equal((await adminGetUser(admin)(gone.id)).id, gone.id, 'GET shows deleted users');
});

t.test(
  'last admin: cannot lose admin, be suspended or be deleted; another active admin unblocks',
  async (t) => {
    const { deps, admin } = setup();
    const only = await deps.seedUser({ roles: ['admin', 'user'] });
    const update = adminUpdateUser(admin);
    await t.rejects(
      update(actorOf(only.id), only.id, { roles: ['user'] }, CONTEXT),
      LastAdminError,
    );
    await t.rejects(update(OPERATOR, only.id, { status: 'suspended' }, CONTEXT), LastAdminError);
    await t.rejects(adminDeleteUser(admin)(OPERATOR, only.id, CONTEXT), LastAdminError);
    await t.rejects(deleteAccount(deps)(only.id, CONTEXT), LastAdminError, 'DELETE /users/me too');
    t.same(deps.auditEvents(), []);

    // A suspended or deleted admin does not count.
    await deps.seedUser({ roles: ['admin'], status: 'suspended' });
    await deps.seedUser({ roles: ['admin'], deletedAt: deps.clock.now() });
    await t.rejects(update(OPERATOR, only.id, { roles: ['user'] }, CONTEXT), LastAdminError);

    const second = await deps.seedUser({ roles: ['admin'] });
    const demoted = await update(actorOf(second.id), only.id, { roles: ['user'] }, CONTEXT);
    t.same(demoted.roles, ['user']);
    await t.rejects(update(OPERATOR, second.id, { status: 'suspended' }, CONTEXT), LastAdminError);
    // Changes that keep the admin an admin are fine.
    const renamed = await update(
      OPERATOR,
      second.id,
      { displayName: 'Boss', roles: ['admin', 'support'] },
      CONTEXT,
    );
    t.same(renamed.roles, ['admin', 'support']);
  },
);

t.test('delete and restore', async (t) => {
  const { deps, admin, cache } = setup();
  const boss = await deps.seedUser({ roles: ['admin'] });
  const target = await deps.seedUser();
  const { session } = await deps.seedSession(target);
  const deleted = await adminDeleteUser(admin)(actorOf(boss.id), target.id, CONTEXT);
  t.ok(deleted.deletedAt);
  t.equal(deps.storedSession(session.id)?.revokedReason, 'deleted_by_admin');
  await t.rejects(
    adminDeleteUser(admin)(actorOf(boss.id), target.id, CONTEXT),
    AlreadyDeletedError,
  );
  await t.rejects(
    adminDeleteUser(admin)(actorOf(boss.id), deps.ids.newId(), CONTEXT),
    NotFoundError,
  );
  const restored = await adminRestoreUser(admin)(actorOf(boss.id), target.id, CONTEXT);
  t.equal(restored.deletedAt, null);
  t.equal(
    deps.storedSession(session.id)?.revokedReason,
    'deleted_by_admin',
    'sessions stay revoked',
  );
  await t.rejects(adminRestoreUser(admin)(actorOf(boss.id), target.id, CONTEXT), NotDeletedError);
  await t.rejects(
    adminRestoreUser(admin)(actorOf(boss.id), deps.ids.newId(), CONTEXT),
    NotFoundError,
  );
  t.same(types(deps), ['admin.user_deleted', 'admin.user_restored']);
  t.same(cache.invalidated, [target.id]);
});

t.test('create (users create): verified or mailed, audited, roles checked', async (t) => {
  const { deps, admin } = setup();
  const create = adminCreateUser(admin);
  const first = await create(
    OPERATOR,
    {
      email: 'root@example.com',
      password: 'a long admin password',
      roles: ['admin'],
      verified: true,
    },
    CONTEXT,
  );
  t.match(first, { status: 'active', roles: ['admin'], permissions: [...PERMISSIONS] });
  t.ok(first.emailVerifiedAt);
  t.ok(await deps.hasher.verify(first.passwordHash ?? '', 'a long admin password'));
  const plain = await create(
    OPERATOR,
    { email: 'plain@example.com', password: 'another long password' },
    CONTEXT,
  );
  t.match(plain, { status: 'unverified', roles: ['user'] });
  t.match(deps.mailCalls(), [{ kind: 'requestVerification', purpose: 'verify_account' }]);
  t.match(deps.auditEvents(), [
    {
      type: 'admin.user_created',
      actorId: null,
      targetId: first.id,
      data: { roles: ['admin'], verified: true },
    },
    { type: 'admin.user_created', targetId: plain.id },
  ]);
  await t.rejects(
    create(OPERATOR, { email: 'ROOT@example.com', password: 'a long admin password' }, CONTEXT),
    EmailTakenError,
  );
  await t.rejects(
    create(
      OPERATOR,
      { email: 'x@example.com', password: 'a long admin password', roles: ['wizard'] },
      CONTEXT,
    ),
    ValidationError,
  );
  await t.rejects(
    create(OPERATOR, { email: 'y@example.com', password: 'short' }, CONTEXT),
    ValidationError,
  );
});

t.test('a rolled-back action leaves no audit row and no change', async (t) => {
  // The work commits nothing when anything after it in the transaction fails.
  const { deps, admin } = setup((d) => ({
    run: (work) =>
      d.unitOfWork.run(async (repos) => {
        await work(repos);
        throw new Error('commit failed');
      }),
  }));
  const boss = await deps.seedUser({ roles: ['admin'] });
  const target = await deps.seedUser();
  const actor = actorOf(boss.id);
  await t.rejects(
    adminUpdateUser(admin)(actor, target.id, { roles: ['support'], status: 'suspended' }, CONTEXT),
    /commit failed/,
  );
  await t.rejects(adminDeleteUser(admin)(actor, target.id, CONTEXT), /commit failed/);
  await t.rejects(
    adminCreateUser(admin)(
      OPERATOR,
      { email: 'z@example.com', password: 'a long enough one' },
      CONTEXT,
    ),
    /commit failed/,
  );
  t.same(deps.auditEvents(), []);
  t.match(await deps.users.findById(target.id), {
    roles: ['user'],
    status: 'active',
    deletedAt: null,
  });
  t.equal(await deps.users.findByEmail('z@example.com'), null);
});

t.test('lists: validation of the role filter and ranges; permissions on items', async (t) => {
  const { deps, admin } = setup();
  await deps.seedUser({ roles: ['support', 'user'] });
  const list = adminListUsers(admin);
  const base = { deleted: false, limit: 10, cursor: null, sort: '-createdAt' } as const;
  const page = await list({ ...base, role: 'support' });
  t.same(
    page.items.map((u) => u.permissions),
    [['users:read']],
  );
  await t.rejects(list({ ...base, role: 'wizard' }), { errors: [{ path: '/role' }] });
  const early = new Date('2020-01-01T00:00:00Z');
  const later = new Date('2021-01-01T00:00:00Z');
  await t.rejects(list({ ...base, createdFrom: later, createdTo: early }), {
    errors: [{ path: '/createdTo' }],
  });
  await t.rejects(listAuditEvents(admin)({ limit: 5, cursor: null, from: later, to: early }), {
    errors: [{ path: '/to' }],
  });
  t.same((await list({ ...base, createdFrom: early, createdTo: early })).items, []);
});

t.test('permissionsFor: the cache serves entries of the same roles only', async (t) => {
  const { deps } = setup();
  const cache = new InProcessPermissionCache(deps.clock, { ttlSeconds: 60, maxEntries: 2 });
  const user = await deps.seedUser({ roles: ['support'] });
  t.same(await permissionsFor(cache, deps.roles, user), ['users:read']);
  t.same(await cache.get(user.id), { roles: ['support'], permissions: ['users:read'] });
  // A planted entry proves the next read comes from the cache…
  await cache.set(user.id, { roles: ['support'], permissions: ['audit:read'] });
  t.same(await permissionsFor(cache, deps.roles, user), ['audit:read']);
  // …and is ignored once the user's roles differ (another instance changed them).
  t.same(await permissionsFor(cache, deps.roles, { ...user, roles: ['admin'] }), [...PERMISSIONS]);
  deps.clock.advance(61_000);
  t.equal(await cache.get(user.id), null, 'entries expire');
  await cache.set('a', { roles: [], permissions: [] });
  await cache.set('b', { roles: [], permissions: [] });
  await cache.set('c', { roles: [], permissions: [] });
  t.equal(cache.size, 2);
  t.equal(await cache.get('a'), null, 'the oldest entry goes first');
  t.same(
    await permissionsFor(undefined, deps.roles, user),
    ['users:read'],
    'works without a cache',
  );
});

t.test('login and refresh sign the current roles and perms after a role change', async (t) => {
  const { deps, admin } = setup();
  const cache = new InProcessPermissionCache(deps.clock);
  const accountDeps = { ...deps, permissionCache: cache };
  const boss = await deps.seedUser({ roles: ['admin'] });
  const user = await deps.seedUser({
    email: 'member@example.com',
    password: 'correct horse battery',
  });
  const signedIn = await login(accountDeps)(
    { email: 'member@example.com', password: 'correct horse battery' },
    CONTEXT,
  );
  t.same(deps.accessTokens.decode(signedIn.accessToken).perms, []);
  deps.clock.advance(1000);
  await adminUpdateUser({ ...admin, permissionCache: cache })(
    actorOf(boss.id),
    user.id,
    { roles: ['support'] },
    CONTEXT,
  );
  deps.clock.advance(1000);
  const refreshed = await refreshSession(accountDeps)(signedIn.refresh.token, CONTEXT);
  t.match(deps.accessTokens.decode(refreshed.accessToken), {
    roles: ['support'],
    perms: ['users:read'],
  });
});

t.test('CachedRoleCatalogue: one read per TTL, shared by concurrent misses', async (t) => {
  const { deps } = setup();
  let reads = 0;
  const counting = {
    list: async () => {
      reads += 1;
      return deps.roles.list();
    },
    permissionsOf: (names: readonly string[]) => deps.roles.permissionsOf(names),
  };
  const cached = new CachedRoleCatalogue(counting, deps.clock, 5000);
  await Promise.all([cached.list(), cached.list(), cached.permissionsOf(['support'])]);
  t.equal(reads, 1);
  t.same(await cached.permissionsOf(['support', 'user']), ['users:read']);
  deps.clock.advance(5000);
  await cached.list();
  t.equal(reads, 2, 'read again once the TTL has passed');
});
