import { InvalidCurrentPasswordError, ValidationError } from '@latchkey/domain';
import t from 'tap';
import { makeAccountDeps } from '../../../test/support/in-memory/index.js';
import { changePassword, login } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'another long phrase';

t.test('sets the new password, ends every other session, keeps the current one', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'pw@example.com' });
  const current = await deps.seedSession(user);
  const other = await deps.seedSession(user);
  deps.clock.advance(1000);
  await changePassword(deps)(
    user.id,
    current.session.id,
    { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    context,
  );
  const stored = await deps.users.findById(user.id);
  t.equal(stored?.passwordHash, deps.hasher.hashOf(NEW_PASSWORD));
  t.same(stored?.updatedAt, deps.clock.now());
  t.equal(
    deps.storedSession(current.session.id)?.session.revokedAt,
    null,
    'the current session stays',
  );
  t.same(deps.storedSession(other.session.id)?.session.revokedAt, deps.clock.now());
  t.equal(deps.storedSession(other.session.id)?.revokedReason, 'password_changed');
  t.same(
    deps.auditEvents().map((e) => e.type),
    ['user.password_changed'],
  );
  t.same(
    deps.mailCalls().map((m) => m.kind === 'passwordChanged' && m.how),
    ['changed'],
  );
  t.ok(
    await login(deps)({ email: 'pw@example.com', password: NEW_PASSWORD }, context),
    'the new password signs in',
  );
});

t.test('currentPassword: omitted, empty or wrong is invalid_current_password', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const { session } = await deps.seedSession(user);
  const change = changePassword(deps);
  for (const currentPassword of [undefined, '', 'wrong password']) {
    await t.rejects(
      change(user.id, session.id, { currentPassword, newPassword: NEW_PASSWORD }, context),
      InvalidCurrentPasswordError,
      JSON.stringify(currentPassword),
    );
  }
  t.same(await deps.users.findById(user.id), user, 'nothing changed');
  t.equal(deps.hasher.hashCalls, 0);
  t.same(deps.auditEvents(), []);
  t.same(deps.mailCalls(), []);
});

t.test('the new password follows the policy, reported on /newPassword', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'policy@example.com' });
  const { session } = await deps.seedSession(user);
  for (const newPassword of ['short', 'password123', 'POLICY@example.com']) {
    const err = await changePassword(deps)(
      user.id,
      session.id,
      { currentPassword: PASSWORD, newPassword },
      context,
    ).catch((e: unknown) => e);
    t.type(err, ValidationError, newPassword);
    t.same(
      (err as ValidationError).errors.map((e) => e.path),
      ['/newPassword'],
    );
  }
});

t.test(
  'an account made by a provider sets its first password without currentPassword',
  async (t) => {
    const deps = makeAccountDeps();
    const user = await deps.seedUser({ password: null });
    const { session } = await deps.seedSession(user);
    await changePassword(deps)(user.id, session.id, { newPassword: NEW_PASSWORD }, context);
    t.equal((await deps.users.findById(user.id))?.passwordHash, deps.hasher.hashOf(NEW_PASSWORD));
    t.equal(deps.hasher.verifyCalls, 0);
  },
);

t.test('a deleted user cannot change its password', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ deletedAt: deps.clock.now() });
  await t.rejects(
    changePassword(deps)(
      user.id,
      deps.ids.newId(),
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      context,
    ),
    { code: 'not_found' },
  );
});
