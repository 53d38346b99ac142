import t from 'tap';
import type { User } from '../src/index.js';
import {
  DEFAULT_ROLES,
  PERMISSIONS,
  PERMISSION_DESCRIPTIONS,
  can,
  isActiveAdmin,
  losesActiveAdmin,
  normalizeRoles,
  permissionsOf,
  sameRoles,
} from '../src/index.js';

const at = new Date('2030-01-01T00:00:00Z');
const user = (fields: Partial<User> = {}): User => ({
  id: '018f0000-0000-7000-8000-000000000001',
  email: 'a@example.com',
  pendingEmail: null,
  displayName: null,
  status: 'active',
  passwordHash: null,
  roles: ['admin'],
  emailVerifiedAt: at,
  lastLoginAt: null,
  deletedAt: null,
  createdAt: at,
  updatedAt: at,
  ...fields,
});

t.test('can: exactly the permissions held', async (t) => {
  t.ok(can({ permissions: ['users:read'] }, 'users:read'));
  t.notOk(can({ permissions: ['users:read'] }, 'users:write'));
  t.notOk(can({ permissions: [] }, 'audit:read'));
});

t.test('default roles: user none, support users:read, admin everything', async (t) => {
  const of = (name: string) => permissionsOf(DEFAULT_ROLES.filter((r) => r.name === name));
  t.same(of('user'), []);
  t.same(of('support'), ['users:read']);
  t.same(of('admin'), [...PERMISSIONS]);
  t.same(Object.keys(PERMISSION_DESCRIPTIONS).sort(), [...PERMISSIONS].sort());
});

t.test('the last-admin rule', async (t) => {
  t.ok(isActiveAdmin(user()));
  t.notOk(isActiveAdmin(user({ status: 'suspended' })));
  t.notOk(isActiveAdmin(user({ deletedAt: at })));
  t.notOk(isActiveAdmin(user({ roles: ['user'] })));
  t.ok(isActiveAdmin(user({ status: 'unverified' })), 'an unverified admin still counts');
  t.ok(losesActiveAdmin(user(), user({ roles: ['support'] })));
  t.ok(losesActiveAdmin(user(), user({ status: 'suspended' })));
  t.ok(losesActiveAdmin(user(), user({ deletedAt: at })));
  t.notOk(losesActiveAdmin(user(), user({ roles: ['admin', 'support'] })));
  t.notOk(
    losesActiveAdmin(user({ status: 'suspended' }), user({ status: 'suspended', roles: [] })),
  );
});

t.test('role lists compare as sets', async (t) => {
  t.same(normalizeRoles(['user', 'admin', 'user']), ['admin', 'user']);
  t.ok(sameRoles(['user', 'admin'], ['admin', 'user', 'admin']));
  t.notOk(sameRoles(['user'], ['user', 'support']));
});
