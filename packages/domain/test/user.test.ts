import t from 'tap';
import { canSignIn, isDeleted, markVerified, type User } from '../src/index.js';

const created = new Date('2030-01-01T00:00:00Z');
const user: User = {
  id: 'u',
  email: 'a@example.com',
  pendingEmail: null,
  displayName: null,
  status: 'unverified',
  passwordHash: 'h',
  roles: ['user'],
  emailVerifiedAt: null,
  lastLoginAt: null,
  deletedAt: null,
  createdAt: created,
  updatedAt: created,
};
const later = new Date('2030-01-02T00:00:00Z');

t.test('markVerified: unverified becomes active, verified at now', async (t) => {
  t.same(markVerified(user, later), {
    ...user,
    status: 'active',
    emailVerifiedAt: later,
    updatedAt: later,
  });
  t.same(user.status, 'unverified', 'the input is not changed');
});

t.test('markVerified keeps a suspended status and an earlier verification time', async (t) => {
  const suspended = { ...user, status: 'suspended' as const, emailVerifiedAt: created };
  t.same(markVerified(suspended, later), { ...suspended, updatedAt: later });
  const active = { ...user, status: 'active' as const, emailVerifiedAt: created };
  t.equal(markVerified(active, later).emailVerifiedAt, created);
});

t.test('isDeleted and canSignIn', async (t) => {
  t.notOk(isDeleted(user));
  t.ok(canSignIn(user), 'unverified users sign in');
  t.ok(canSignIn({ ...user, status: 'active' }));
  t.notOk(canSignIn({ ...user, status: 'suspended' }));
  const deleted = { ...user, deletedAt: later };
  t.ok(isDeleted(deleted));
  t.notOk(canSignIn(deleted));
});
