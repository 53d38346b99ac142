import t from 'tap';
import { bearer, member, openDatabase, type Member } from './support/admin-fixtures.js';
import { GOOD_PASSWORD, signUp, startTestServer, uniqueEmail } from './support/test-server.js';

const ts = await startTestServer();
const { app } = ts;
const db = openDatabase(ts.databaseUrl);
t.teardown(async () => {
  await db.destroy();
  await ts.close();
});

const admin = await member(app, db, ['admin'], 'admin');
const support = await member(app, db, ['support'], 'support');
const plain = await member(app, db, ['user'], 'plain');

type Who = 'none' | 'user' | 'support' | 'admin';
const tokenOf: Record<Exclude<Who, 'none'>, Member> = { user: plain, support, admin };
const headersOf = (who: Who) => (who === 'none' ? {} : bearer(tokenOf[who].accessToken));

/** A fresh live user to act on; `deleted` soft-deletes it first. */
const victim = async (deleted = false): Promise<string> => {
  const { userId } = await signUp(app, uniqueEmail('victim'));
  if (deleted)
    await db
      .updateTable('users')
      .set({ deleted_at: new Date() })
      .where('id', '=', userId)
      .execute();
  return userId;
};

interface Route {
  readonly name: string;
  readonly permission: string;
  readonly request: (id: string) => {
    method: 'GET' | 'PUT' | 'DELETE' | 'POST';
    url: string;
    payload?: object;
  };
  readonly needsDeleted?: boolean;
}

const ROUTES: Route[] = [
  {
    name: 'GET /admin/users',
    permission: 'users:read',
    request: () => ({ method: 'GET', url: '/api/v1/admin/users' }),
  },
  {
    name: 'GET /admin/users/deleted',
    permission: 'users:read',
    request: () => ({ method: 'GET', url: '/api/v1/admin/users/deleted' }),
  },
  {
    name: 'GET /admin/users/{id}',
    permission: 'users:read',
    request: (id) => ({ method: 'GET', url: `/api/v1/admin/users/${id}` }),
  },
  {
    name: 'PUT /admin/users/{id}',
    permission: 'users:write',
    request: (id) => ({
      method: 'PUT',
      url: `/api/v1/admin/users/${id}`,
      payload: { displayName: 'Renamed' },
    }),
  },
  {
    name: 'DELETE /admin/users/{id}',
    permission: 'users:delete',
    request: (id) => ({ method: 'DELETE', url: `/api/v1/admin/users/${id}` }),
  },
  {
    name: 'POST /admin/users/{id}/restore',
    permission: 'users:delete',
    request: (id) => ({ method: 'POST', url: `/api/v1/admin/users/${id}/restore` }),
    needsDeleted: true,
  },
  {
    name: 'GET /admin/roles',
    permission: 'roles:read',
    request: () => ({ method: 'GET', url: '/api/v1/admin/roles' }),
  },
  {
    name: 'GET /admin/audit-events',
    permission: 'audit:read',
    request: () => ({ method: 'GET', url: '/api/v1/admin/audit-events' }),
  },
];

const EXPECTED: Record<Who, (permission: string) => number> = {
  none: () => 401,
  user: () => 403,
  support: (permission) => (permission === 'users:read' ? 200 : 403),
  admin: () => 200,
};

t.test('permission matrix: every admin route × no token, user, support, admin', async (t) => {
  for (const route of ROUTES) {
    for (const who of ['none', 'user', 'support', 'admin'] as const) {
      const id = await victim(route.needsDeleted === true);
      const res = await app.inject({ ...route.request(id), headers: headersOf(who) });
      const want = EXPECTED[who](route.permission);
      t.equal(res.statusCode, want, `${route.name} as ${who}: ${res.body.slice(0, 120)}`);
      if (want === 401) {
        t.equal(res.json().code, 'unauthorized');
        t.equal(res.headers['www-authenticate'], 'Bearer realm="latchkey"');
      }
      if (want === 403) {
        t.equal(res.json().code, 'forbidden');
        t.match(res.headers['content-type'], /^application\/problem\+json/);
      }
      if (want === 200) t.equal(res.headers['cache-control'], 'no-store');
    }
  }
});

t.test(
  'the guard runs before validation: no token or permission reveals nothing about input',
  async (t) => {
    const cases = [
      { method: 'GET', url: '/api/v1/admin/users/not-a-uuid' },
      { method: 'GET', url: '/api/v1/admin/users?limit=nope' },
      { method: 'PUT', url: '/api/v1/admin/users/not-a-uuid', payload: { bogus: true } },
    ] as const;
    for (const request of cases) {
      t.equal((await app.inject(request)).statusCode, 401, `${request.url} without a token`);
      t.equal(
        (await app.inject({ ...request, headers: headersOf('user') })).statusCode,
        403,
        `${request.url} as user`,
      );
      t.equal(
        (await app.inject({ ...request, headers: headersOf('admin') })).statusCode,
        400,
        `${request.url} as admin`,
      );
    }
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: bearer('abc.def.ghi'),
    });
    t.equal(bad.statusCode, 401);
    t.equal(bad.json().code, 'invalid_token');
    const unknown = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/users/${admin.userId.replace(/.$/, '0')}`,
      headers: headersOf('admin'),
    });
    t.equal(unknown.statusCode, admin.userId.endsWith('0') ? 200 : 404);
    for (const url of [
      '/api/v1/admin/users/',
      '/api/v1/admin/users//restore',
      '/api/v1/admin/roles/',
      '//api/v1/admin/users',
    ]) {
      const method = url.endsWith('restore') ? 'POST' : 'GET';
      t.equal(
        (await app.inject({ method, url, headers: headersOf('admin') })).statusCode,
        404,
        `${url} is no route`,
      );
    }
  },
);

t.test('AdminUser shape: User + deletedAt + permissions, never a hash', async (t) => {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/admin/users/${support.userId}`,
    headers: headersOf('support'),
  });
  const user = res.json().user;
  t.same(Object.keys(user).sort(), [
    'createdAt',
    'deletedAt',
    'displayName',
    'email',
    'id',
    'lastLoginAt',
    'pendingEmail',
    'permissions',
    'roles',
    'status',
    'updatedAt',
  ]);
  t.same(user.roles, ['support']);
  t.same(user.permissions, ['users:read']);
  t.equal(user.deletedAt, null);
  t.notMatch(res.body, /argon2|passwordHash|password_hash/);
  const roles = await app.inject({
    method: 'GET',
    url: '/api/v1/admin/roles',
    headers: headersOf('admin'),
  });
  t.same(
    roles.json().items.map((r: { name: string; permissions: string[] }) => [r.name, r.permissions]),
    [
      [
        'admin',
        ['users:read', 'users:write', 'users:delete', 'roles:read', 'roles:assign', 'audit:read'],
      ],
      ['support', ['users:read']],
      ['user', []],
    ],
  );
  t.ok(roles.json().items.every((r: { description: string }) => r.description.length > 0));
});

t.test('IDOR: a user reaches no other account through any route', async (t) => {
  const other = await member(app, db, ['user'], 'other');
  const sessions = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me/sessions',
    headers: bearer(other.accessToken),
  });
  const otherSession = sessions.json().items[0].id as string;
  const attempts = [
    { method: 'GET', url: `/api/v1/admin/users/${other.userId}` },
    {
      method: 'PUT',
      url: `/api/v1/admin/users/${other.userId}`,
      payload: { displayName: 'pwned' },
    },
    { method: 'DELETE', url: `/api/v1/admin/users/${other.userId}` },
    { method: 'POST', url: `/api/v1/admin/users/${other.userId}/restore` },
    { method: 'PUT', url: `/api/v1/admin/users/${plain.userId}`, payload: { roles: ['admin'] } },
  ] as const;
  for (const request of attempts) {
    const res = await app.inject({ ...request, headers: bearer(plain.accessToken) });
    t.equal(res.statusCode, 403, `${request.method} ${request.url}`);
  }
  const revoke = await app.inject({
    method: 'DELETE',
    url: `/api/v1/users/me/sessions/${otherSession}`,
    headers: bearer(plain.accessToken),
  });
  t.equal(revoke.statusCode, 404, "another user's session is not found");
  const me = await app.inject({
    method: 'PUT',
    url: '/api/v1/users/me',
    headers: bearer(plain.accessToken),
    payload: { id: other.userId, displayName: 'x' },
  });
  t.equal(me.statusCode, 400);
  const still = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: bearer(other.accessToken),
  });
  t.equal(still.statusCode, 200);
  t.not(still.json().user.displayName, 'pwned');
  t.same(still.json().user.roles, ['user']);
});

t.test(
  'mass assignment: no role, status or internal field can be set where it is not offered',
  async (t) => {
    for (const payload of [
      { roles: ['admin'] },
      { status: 'active' },
      { permissions: ['users:read'] },
      { deletedAt: null },
    ]) {
      const res = await app.inject({
        method: 'PUT',
        url: '/api/v1/users/me',
        headers: bearer(plain.accessToken),
        payload,
      });
      t.equal(res.statusCode, 400, JSON.stringify(payload));
      t.equal(res.json().code, 'validation_failed');
    }
    const register = await app.inject({
      method: 'POST',
      url: '/api/v1/register',
      payload: { email: uniqueEmail('mass'), password: GOOD_PASSWORD, roles: ['admin'] },
    });
    t.equal(register.statusCode, 400);
    const target = await victim();
    for (const payload of [
      { passwordHash: 'x' },
      { id: target },
      { deletedAt: null },
      { createdAt: '2020-01-01T00:00:00Z' },
      { permissions: [] },
    ]) {
      const res = await app.inject({
        method: 'PUT',
        url: `/api/v1/admin/users/${target}`,
        headers: bearer(admin.accessToken),
        payload,
      });
      t.equal(res.statusCode, 400, `admin PUT ${JSON.stringify(payload)}`);
    }
    for (const payload of [
      { roles: 'admin' },
      { roles: [1] },
      { status: 'deleted' },
      { email: 42 },
      { displayName: '' },
    ]) {
      const res = await app.inject({
        method: 'PUT',
        url: `/api/v1/admin/users/${target}`,
        headers: bearer(admin.accessToken),
        payload,
      });
      t.equal(res.statusCode, 400, `admin PUT ${JSON.stringify(payload)}`);
    }
    const unknownRole = await app.inject({
      method: 'PUT',
      url: `/api/v1/admin/users/${target}`,
      headers: bearer(admin.accessToken),
      payload: { roles: ['wizard'] },
    });
    t.equal(unknownRole.statusCode, 400);
    t.same(unknownRole.json().errors, [{ path: '/roles', message: 'unknown role: wizard' }]);

    // users:write without roles:assign: profile changes pass, role changes are 403.
    await db
      .insertInto('roles')
      .values({ name: 'editor', description: 'Edits accounts' })
      .execute();
    await db
      .insertInto('role_permissions')
      .values([
        { role_name: 'editor', permission_name: 'users:read' },
        { role_name: 'editor', permission_name: 'users:write' },
      ])
      .execute();
    const editor = await member(app, db, ['editor'], 'editor');
    const rename = await app.inject({
      method: 'PUT',
      url: `/api/v1/admin/users/${target}`,
      headers: bearer(editor.accessToken),
      payload: { displayName: 'Ed' },
    });
    t.equal(rename.statusCode, 200);
    for (const id of [target, editor.userId]) {
      const escalate = await app.inject({
        method: 'PUT',
        url: `/api/v1/admin/users/${id}`,
        headers: bearer(editor.accessToken),
        payload: { roles: ['admin'] },
      });
      t.equal(escalate.statusCode, 403, 'roles:assign is required to change roles');
      t.equal(escalate.json().code, 'forbidden');
    }
  },
);

t.test('an audit row for each admin action, with actor, target, ip and user agent', async (t) => {
  const target = await victim();
  const headers = { ...bearer(admin.accessToken), 'user-agent': 'lightyear/1.0' };
  const url = `/api/v1/admin/users/${target}`;
  const steps = [
    { method: 'PUT', url, payload: { displayName: 'Audited' } },
    { method: 'PUT', url, payload: { roles: ['support', 'user'] } },
    { method: 'PUT', url, payload: { status: 'suspended' } },
    { method: 'PUT', url, payload: { status: 'active' } },
    { method: 'DELETE', url },
    { method: 'POST', url: `${url}/restore` },
  ] as const;
  for (const step of steps) {
    const res = await app.inject({ ...step, headers });
    t.equal(
      res.statusCode,
      200,
      `${step.method} ${JSON.stringify('payload' in step ? step.payload : {})}`,
    );
  }
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/admin/audit-events?targetId=${target}&limit=100`,
    headers: bearer(admin.accessToken),
  });
  const events = res.json().items as Array<{
    type: string;
    actorId: string;
    ip: string;
    userAgent: string;
    data: object;
  }>;
  const adminEvents = events.filter((e) => e.type.startsWith('admin.')).reverse();
  t.same(
    adminEvents.map((e) => e.type),
    [
      'admin.user_updated',
      'admin.roles_changed',
      'admin.user_suspended',
      'admin.user_unsuspended',
      'admin.user_deleted',
      'admin.user_restored',
    ],
  );
  t.ok(
    adminEvents.every(
      (e) => e.actorId === admin.userId && e.ip === '127.0.0.1' && e.userAgent === 'lightyear/1.0',
    ),
  );
  t.same(adminEvents[1]?.data, { from: ['user'], to: ['support', 'user'] });
  t.equal(events.at(-1)?.type, 'user.registered');

  // Filters and keyset pagination of the trail.
  const pages: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/api/v1/admin/audit-events?actorId=${admin.userId}&type=admin.user_updated&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await app.inject({ method: 'GET', url: q, headers: bearer(admin.accessToken) });
    t.equal(page.statusCode, 200);
    pages.push(...page.json().items.map((e: { id: string; type: string }) => `${e.type}`));
    cursor = page.json().nextCursor;
  } while (cursor !== null);
  const count = await db
    .selectFrom('audit_events')
    .select(db.fn.countAll<number>().as('n'))
    .where('actor_id', '=', admin.userId)
    .where('type', '=', 'admin.user_updated')
    .executeTakeFirstOrThrow();
  t.equal(pages.length, Number(count.n));
  t.ok(pages.every((type) => type === 'admin.user_updated'));
});

t.test('a refused admin action leaves no audit row', async (t) => {
  const target = await victim();
  const taken = await victim();
  const takenEmail = (
    await db.selectFrom('users').select('email').where('id', '=', taken).executeTakeFirstOrThrow()
  ).email;
  const before = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('target_id', '=', target)
    .execute();
  const conflict = await app.inject({
    method: 'PUT',
    url: `/api/v1/admin/users/${target}`,
    headers: bearer(admin.accessToken),
    payload: { displayName: 'x', email: takenEmail.toUpperCase() },
  });
  t.equal(conflict.statusCode, 409);
  t.equal(conflict.json().code, 'email_taken');
  const after = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('target_id', '=', target)
    .execute();
  t.equal(after.length, before.length);
  t.not(
    (
      await db
        .selectFrom('users')
        .select('display_name')
        .where('id', '=', target)
        .executeTakeFirstOrThrow()
    ).display_name,
    'x',
  );
});
