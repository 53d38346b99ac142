import t from 'tap';
import {
  ADMIN_ROLE,
  DEFAULT_ROLE,
  DEFAULT_ROLE_NAMES,
  DEFAULT_ROLES,
  PERMISSIONS,
  can,
  isPermission,
  permissionsOf,
} from '../src/index.js';

const role = (name: string) => DEFAULT_ROLES.find((r) => r.name === name)!;

t.test('the default catalogue', async (t) => {
  t.same(PERMISSIONS, [
    'users:read',
    'users:write',
    'users:delete',
    'roles:read',
    'roles:assign',
    'audit:read',
  ]);
  t.same(
    DEFAULT_ROLES.map((r) => r.name),
    [...DEFAULT_ROLE_NAMES],
  );
  t.same(role('user').permissions, []);
  t.same(role('support').permissions, ['users:read']);
  t.same(role('admin').permissions, [...PERMISSIONS]);
  t.equal(DEFAULT_ROLE, 'user');
  t.equal(ADMIN_ROLE, 'admin');
});

t.test('permissionsOf: the union in PERMISSIONS order, without duplicates', async (t) => {
  t.same(permissionsOf([]), []);
  t.same(permissionsOf([role('user')]), []);
  t.same(permissionsOf([role('support'), role('user')]), ['users:read']);
  t.same(permissionsOf([role('support'), role('admin')]), [...PERMISSIONS]);
  t.same(
    permissionsOf([
      { name: 'x', description: '', permissions: ['audit:read', 'users:read'] },
      { name: 'y', description: '', permissions: ['users:read'] },
    ]),
    ['users:read', 'audit:read'],
  );
});

t.test('can', async (t) => {
  t.ok(can({ permissions: ['users:read'] }, 'users:read'));
  t.notOk(can({ permissions: ['users:read'] }, 'users:write'));
  t.notOk(can({ permissions: [] }, 'audit:read'));
  t.ok(can({ permissions: permissionsOf([role('admin')]) }, 'roles:assign'));
});

t.test('isPermission', async (t) => {
  t.ok(isPermission('roles:read'));
  t.notOk(isPermission('roles:*'));
  t.notOk(isPermission('USERS:READ'));
});
