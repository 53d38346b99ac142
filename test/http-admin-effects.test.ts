import t from 'tap';
import { adminUpdateUser, OPERATOR, type AdminDeps } from '@latchkey/application';
import {
  PostgresAuditTrail,
  PostgresRoleRepository,
  PostgresUnitOfWork,
  PostgresUserDirectory,
  PostgresUserRepository,
} from '@latchkey/adapters-postgres';
import { InProcessPermissionCache } from '@latchkey/application';
import type { AccountMail } from '@latchkey/domain';
import { FixedClock, SequentialIds } from './support/in-memory/index.js';
import {
  bearer,
  claimsOf,
  member,
  openDatabase,
  setRolesDirectly,
  signIn,
  within,
  type Member,
} from './support/admin-fixtures.js';
import { createSmtpSink } from './support/smtp-sink.js';
import {
  GOOD_PASSWORD,
  refreshCookieOf,
  signUp,
  startTestServer,
  uniqueEmail,
} from './support/test-server.js';

// The real composition with its job worker and an SMTP sink (verification and reset links),
// and no refresh grace (reuse is reuse at once).
const sink = await createSmtpSink();
const ts = await startTestServer({
  WORKER_ENABLED: 'true',
  SMTP_URL: sink.url,
  REFRESH_REUSE_GRACE: '0',
});
const { app } = ts;
const db = openDatabase(ts.databaseUrl);
t.teardown(async () => {
  await db.destroy();
  await ts.close();
  await sink.stop();
});

const get = (url: string, token: string) =>
  app.inject({ method: 'GET', url, headers: bearer(token) });
const put = (url: string, token: string, payload: object) =>
  app.inject({ method: 'PUT', url, headers: bearer(token), payload });
const refresh = (token: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    headers: { cookie: `refresh_token=${token}` },
  });
const fails = (token: string) => async () =>
  (await get('/api/v1/users/me', token)).statusCode === 401;
const auditTypes = async (targetId: string): Promise<string[]> =>
  (
    await db
      .selectFrom('audit_events')
      .select('type')
      .where('target_id', '=', targetId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  ).map((r) => r.type);

// The one admin of this installation: the last-admin cases run first.
const boss = await member(app, db, ['admin'], 'boss');

t.test('last admin: cannot lose admin, be suspended or deleted, through any route', async (t) => {
  const url = `/api/v1/admin/users/${boss.userId}`;
  const attempts = [
    () => put(url, boss.accessToken, { roles: ['user'] }),
    () => put(url, boss.accessToken, { roles: [] }),
    () => put(url, boss.accessToken, { status: 'suspended' }),
    () => app.inject({ method: 'DELETE', url, headers: bearer(boss.accessToken) }),
    () =>
      app.inject({ method: 'DELETE', url: '/api/v1/users/me', headers: bearer(boss.accessToken) }),
  ];
  for (const attempt of attempts) {
    const res = await attempt();
    t.equal(res.statusCode, 409);
    t.equal(res.json().code, 'last_admin');
  }
  t.same(
    (await auditTypes(boss.userId)).filter(
      (type) => type.startsWith('admin.') || type === 'user.deleted',
    ),
    [],
    'nothing audited',
  );
  const ok = await put(url, boss.accessToken, { roles: ['admin', 'support'], displayName: 'Boss' });
  t.equal(ok.statusCode, 200, 'changes that keep it an admin pass');
  // That was a role change: the token is stale now.
  t.not(await within(1000, fails(boss.accessToken)), null);
  const fresh = await signIn(app, boss.email);

  // A suspended admin is no admin to count on.
  const dormant = await member(app, db, ['admin'], 'dormant');
  await db
    .updateTable('users')
    .set({ status: 'suspended' })
    .where('id', '=', dormant.userId)
    .execute();
  t.equal((await put(url, fresh.accessToken, { roles: ['user'] })).statusCode, 409);
});

t.test('last admin under concurrency: of two admins removing each other, one wins', async (t) => {
  const a = await member(app, db, ['admin'], 'race-a');
  const b = await member(app, db, ['admin'], 'race-b');
  // Only a and b are active admins now.
  await setRolesDirectly(db, boss.userId, ['user']);
  const results = await Promise.all([
    put(`/api/v1/admin/users/${b.userId}`, a.accessToken, { roles: ['user'] }),
    put(`/api/v1/admin/users/${a.userId}`, b.accessToken, { roles: ['user'] }),
  ]);
  // One wins. The other is refused: 409 last_admin when it got past authentication first, or 401
  // when the winner's role change had already invalidated its token (both keep one admin).
  const codes = results.map((r) => r.statusCode).sort();
  t.equal(codes[0], 200, results.map((r) => r.body).join(' | '));
  t.ok(codes[1] === 409 || codes[1] === 401, `the loser is refused (${String(codes[1])})`);
  const admins = await db
    .selectFrom('user_roles')
    .select('user_id')
    .where('role_name', '=', 'admin')
    .where('user_id', 'in', [a.userId, b.userId])
    .execute();
  t.equal(admins.length, 1, 'exactly one admin is left');

  const c = await member(app, db, ['admin'], 'race-c');
  const d = await member(app, db, ['admin'], 'race-d');
  await setRolesDirectly(db, admins[0]!.user_id, ['user']);
  const deletions = await Promise.all(
    [c, d].map((m) =>
      app.inject({ method: 'DELETE', url: '/api/v1/users/me', headers: bearer(m.accessToken) }),
    ),
  );
  t.same(deletions.map((r) => r.statusCode).sort(), [200, 409], 'DELETE /users/me races too');
  // Back to one reliable admin for the rest of the file.
  await setRolesDirectly(db, boss.userId, ['admin']);
});

t.test(
  'a role change keeps the sessions: old tokens fail within 1 s, the next refresh carries new perms',
  async (t) => {
    const admin = { ...boss, ...(await signIn(app, boss.email)) };
    const user = await member(app, db, ['user'], 'promoted');
    t.same(claimsOf(user.accessToken).perms, []);
    t.equal((await get('/api/v1/admin/users', user.accessToken)).statusCode, 403);
    const changed = await put(`/api/v1/admin/users/${user.userId}`, admin.accessToken, {
      roles: ['support'],
    });
    t.equal(changed.statusCode, 200);
    t.same(changed.json().user.permissions, ['users:read']);
    const took = await within(1000, fails(user.accessToken));
    t.not(took, null, `the old token stopped working within 1 s (${took} ms)`);
    const renewed = await refresh(user.refreshToken);
    t.equal(renewed.statusCode, 200, 'the session stands: refresh works');
    const token = renewed.json().accessToken as string;
    t.match(claimsOf(token), { roles: ['support'], perms: ['users:read'] });
    t.equal((await get('/api/v1/admin/users', token)).statusCode, 200, 'the new perms work');
    const sessions = (await get('/api/v1/users/me/sessions', token)).json().items as Array<{
      current: boolean;
    }>;
    t.equal(sessions.length, 2, 'both sessions (sign-up and sign-in) stand');
    t.equal(sessions.filter((s) => s.current).length, 1);
  },
);

t.test(
  'suspension and deletion revoke every session; restore lets the user sign in again',
  async (t) => {
    const admin = await signIn(app, boss.email);
    const user: Member = await member(app, db, ['user'], 'suspended');
    const second = await signIn(app, user.email);
    const url = `/api/v1/admin/users/${user.userId}`;
    t.equal((await put(url, admin.accessToken, { status: 'suspended' })).statusCode, 200);
    t.not(await within(1000, fails(user.accessToken)), null, 'token fails within 1 s');
    t.not(await within(1000, fails(second.accessToken)), null, 'on every session');
    t.equal((await refresh(user.refreshToken)).statusCode, 401);
    t.equal((await refresh(second.refreshToken)).statusCode, 401);
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/login',
      payload: { email: user.email, password: GOOD_PASSWORD },
    });
    t.equal(refused.statusCode, 403);
    t.equal(refused.json().code, 'account_suspended');
    t.equal((await put(url, admin.accessToken, { status: 'active' })).statusCode, 200);
    const back = await signIn(app, user.email);

    const deleted = await app.inject({ method: 'DELETE', url, headers: bearer(admin.accessToken) });
    t.equal(deleted.statusCode, 200);
    t.ok(deleted.json().user.deletedAt);
    t.not(
      await within(1000, fails(back.accessToken)),
      null,
      'token fails within 1 s after deletion',
    );
    t.equal((await refresh(back.refreshToken)).statusCode, 401);
    const gone = await app.inject({
      method: 'POST',
      url: '/api/v1/login',
      payload: { email: user.email, password: GOOD_PASSWORD },
    });
    t.equal(gone.json().code, 'invalid_credentials');
    t.equal(
      (await app.inject({ method: 'DELETE', url, headers: bearer(admin.accessToken) })).json().code,
      'already_deleted',
    );
    t.equal(
      (await put(url, admin.accessToken, { displayName: 'x' })).statusCode,
      404,
      'a deleted user is changed only once restored',
    );
    const listed = await get(
      `/api/v1/admin/users/deleted?q=${encodeURIComponent(user.email)}`,
      admin.accessToken,
    );
    t.same(
      listed.json().items.map((u: { id: string }) => u.id),
      [user.userId],
    );
    const live = await get(
      `/api/v1/admin/users?q=${encodeURIComponent(user.email)}`,
      admin.accessToken,
    );
    t.same(live.json().items, []);
    t.equal(
      (await get(url, admin.accessToken)).json().user.deletedAt,
      deleted.json().user.deletedAt,
      'GET shows deleted users',
    );

    const restored = await app.inject({
      method: 'POST',
      url: `${url}/restore`,
      headers: bearer(admin.accessToken),
    });
    t.equal(restored.statusCode, 200);
    t.equal(restored.json().user.deletedAt, null);
    t.equal(
      (
        await app.inject({
          method: 'POST',
          url: `${url}/restore`,
          headers: bearer(admin.accessToken),
        })
      ).json().code,
      'not_deleted',
    );
    t.equal((await refresh(back.refreshToken)).statusCode, 401, 'old sessions stay revoked');
    await signIn(app, user.email);
    const types = await auditTypes(user.userId);
    t.match(
      types.join(' '),
      /admin\.user_suspended.*user\.login_failed.*admin\.user_unsuspended.*admin\.user_deleted.*admin\.user_restored/,
    );
  },
);

t.test('an email set by an admin applies at once, as verified', async (t) => {
  const admin = await signIn(app, boss.email);
  const account = await signUp(app, uniqueEmail('renamed'));
  const email = uniqueEmail('admin-set');
  const res = await put(`/api/v1/admin/users/${account.userId}`, admin.accessToken, { email });
  t.equal(res.statusCode, 200);
  t.match(res.json().user, { email, status: 'active', pendingEmail: null });
  await signIn(app, email);
  const old = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: account.email, password: GOOD_PASSWORD },
  });
  t.equal(old.statusCode, 401);
  await sink.waitFor(
    (mail) =>
      mail.to.toLowerCase() === account.email.toLowerCase() && mail.kind === 'email_changed',
  );
  const taken = await put(`/api/v1/admin/users/${account.userId}`, admin.accessToken, {
    email: boss.email.toUpperCase(),
  });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'email_taken');
});

t.test('every audit event the contract lists is written', async (t) => {
  const email = uniqueEmail('audited');
  const account = await signUp(app, email);
  const verifyMail = await sink.waitFor(
    (m) => m.to.toLowerCase() === email.toLowerCase() && m.kind === 'verify_account',
  );
  t.equal(
    (await app.inject({ method: 'GET', url: new URL(verifyMail.link ?? '').pathname })).statusCode,
    200,
  );
  const wrong = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email, password: 'not the password at all' },
  });
  t.equal(wrong.statusCode, 401);
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email, password: GOOD_PASSWORD },
  });
  const first = refreshCookieOf(login.headers['set-cookie']) ?? '';
  const second = await refresh(first);
  t.equal(second.statusCode, 200);
  t.equal((await refresh(first)).statusCode, 401, 'reuse of a rotated token');
  await signIn(app, email); // another session, to revoke
  const sessions = await get('/api/v1/users/me/sessions', account.accessToken);
  const revocable = sessions.json().items.find((s: { current: boolean }) => !s.current)
    .id as string;
  t.equal(
    (
      await app.inject({
        method: 'DELETE',
        url: `/api/v1/users/me/sessions/${revocable}`,
        headers: bearer(account.accessToken),
      })
    ).statusCode,
    204,
  );
  const changed = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: bearer(account.accessToken),
    payload: { currentPassword: GOOD_PASSWORD, newPassword: 'another good pass phrase' },
  });
  t.equal(changed.statusCode, 204);
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/v1/password/forgot', payload: { email } }))
      .statusCode,
    202,
  );
  const resetMail = await sink.waitFor(
    (m) => m.to.toLowerCase() === email.toLowerCase() && m.kind === 'password_reset',
  );
  const token = new URL(resetMail.link ?? '').searchParams.get('token');
  const reset = await app.inject({
    method: 'POST',
    url: '/api/v1/password/reset',
    payload: { token, password: 'a third good pass phrase' },
  });
  t.equal(reset.statusCode, 204);
  const logout = await signIn(app, email, 'a third good pass phrase');
  await app.inject({
    method: 'POST',
    url: '/api/v1/logout',
    headers: { cookie: `refresh_token=${logout.refreshToken}` },
  });

  const types = await auditTypes(account.userId);
  for (const type of [
    'user.registered',
    'user.email_verified',
    'user.login_failed',
    'user.login_succeeded',
    'session.refresh_reuse',
    'session.revoked',
    'user.password_changed',
    'user.password_reset',
    'user.logout',
  ]) {
    t.ok(types.includes(type), type);
  }
});

t.test("audit rows are absent when the action's transaction rolls back (PostgreSQL)", async (t) => {
  const clock = new FixedClock(new Date());
  const ids = new SequentialIds(clock);
  const noMail: AccountMail = {
    requestVerification: async () => undefined,
    passwordChanged: async () => undefined,
    emailChanged: async () => undefined,
    requestPasswordReset: async () => undefined,
  };
  const real = new PostgresUnitOfWork(db, () => noMail, ids, clock);
  const deps: AdminDeps = {
    users: new PostgresUserRepository(db),
    roles: new PostgresRoleRepository(db),
    directory: new PostgresUserDirectory(db),
    auditTrail: new PostgresAuditTrail(db),
    // Everything the action wrote, its audit rows included, is in the transaction when it fails.
    unitOfWork: {
      run: (work) =>
        real.run(async (repos) => {
          await work(repos);
          throw new Error('commit refused');
        }),
    },
    permissionCache: new InProcessPermissionCache(clock),
    hasher: {
      hash: async () => 'x',
      verify: async () => false,
      verifyDummy: async () => undefined,
      needsRehash: () => false,
    },
    clock,
    ids,
  };
  const target = await member(app, db, ['user'], 'rollback');
  const before = await auditTypes(target.userId);
  await t.rejects(
    adminUpdateUser(deps)(
      OPERATOR,
      target.userId,
      { roles: ['support'], status: 'suspended', displayName: 'x' },
      { ip: null, userAgent: null },
    ),
    /commit refused/,
  );
  t.same(await auditTypes(target.userId), before, 'no audit row');
  const row = await db
    .selectFrom('users')
    .select(['status', 'display_name'])
    .where('id', '=', target.userId)
    .executeTakeFirstOrThrow();
  t.same(row, { status: 'unverified', display_name: null }, 'no change');
  t.equal(
    (await get('/api/v1/users/me', target.accessToken)).statusCode,
    200,
    'sessions untouched',
  );
});
