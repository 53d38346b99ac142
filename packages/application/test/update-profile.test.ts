import { EmailTakenError, InvalidCurrentPasswordError, ValidationError } from '@latchkey/domain';
import t from 'tap';
import { makeAccountDeps } from '../../../test/support/in-memory/index.js';
import { updateProfile } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };
const PASSWORD = 'correct horse battery';

t.test('changes the display name at once', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ displayName: 'Old' });
  deps.clock.advance(1000);
  const updated = await updateProfile(deps)(user.id, { displayName: 'New' }, context);
  t.equal(updated.displayName, 'New');
  t.same(updated.updatedAt, deps.clock.now());
  t.same(await deps.users.findById(user.id), updated);
  t.same(
    deps.auditEvents().map((e) => e.type),
    ['user.updated'],
  );
  t.same(deps.mailCalls(), []);
  const cleared = await updateProfile(deps)(user.id, { displayName: null }, context);
  t.equal(cleared.displayName, null);
});

t.test('a new email goes to pendingEmail with a verification mail', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'me@example.com' });
  const updated = await updateProfile(deps)(
    user.id,
    { email: ' New@Example.com ', currentPassword: PASSWORD },
    context,
  );
  t.equal(updated.email, 'me@example.com', 'email unchanged until verified');
  t.equal(updated.pendingEmail, 'New@Example.com');
  t.same(deps.mailCalls(), [
    { kind: 'requestVerification', user: updated, purpose: 'verify_email_change' },
  ]);
  t.same(
    deps.auditEvents().map((e) => e.type),
    ['user.email_change_requested'],
  );
});

t.test('an email change needs the right currentPassword', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'me@example.com' });
  const update = updateProfile(deps);
  await t.rejects(
    update(user.id, { email: 'new@example.com' }, context),
    InvalidCurrentPasswordError,
    'omitted',
  );
  await t.rejects(
    update(user.id, { email: 'new@example.com', currentPassword: '' }, context),
    InvalidCurrentPasswordError,
    'empty',
  );
  await t.rejects(
    update(user.id, { email: 'new@example.com', currentPassword: 'wrong password' }, context),
    InvalidCurrentPasswordError,
    'wrong',
  );
  t.same(await deps.users.findById(user.id), user, 'nothing changed');
  t.same(deps.mailCalls(), []);
  t.ok(
    await update(
      user.id,
      { email: 'new@example.com', currentPassword: 'correct horse battery'.normalize('NFKD') },
      context,
    ),
  );
});

t.test('an account without a password changes its email without currentPassword', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ password: null });
  const updated = await updateProfile(deps)(user.id, { email: 'new@example.com' }, context);
  t.equal(updated.pendingEmail, 'new@example.com');
});

t.test('email_taken when another account holds the email, in any case', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'holder@example.com' });
  const user = await deps.seedUser({ email: 'me@example.com' });
  await t.rejects(
    updateProfile(deps)(
      user.id,
      { email: 'HOLDER@example.com', currentPassword: PASSWORD },
      context,
    ),
    EmailTakenError,
  );
  t.same(await deps.users.findById(user.id), user);
  t.same(deps.auditEvents(), []);
});

t.test('the current email (any case) cancels a pending change, no password needed', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'me@example.com', pendingEmail: 'next@example.com' });
  const updated = await updateProfile(deps)(user.id, { email: 'ME@example.com' }, context);
  t.equal(updated.pendingEmail, null);
  t.equal(updated.email, 'me@example.com');
  t.same(deps.mailCalls(), []);
  t.same(
    deps.auditEvents().map((e) => e.type),
    ['user.updated'],
  );
});

t.test('repeating the pending email changes nothing and sends nothing', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'me@example.com', pendingEmail: 'next@example.com' });
  const updated = await updateProfile(deps)(user.id, { email: 'Next@example.com' }, context);
  t.equal(updated.pendingEmail, 'next@example.com');
  t.same(deps.mailCalls(), []);
});

t.test('an invalid email, a deleted or unknown user', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const gone = await deps.seedUser({ deletedAt: deps.clock.now() });
  await t.rejects(updateProfile(deps)(user.id, { email: 'nope' }, context), ValidationError);
  await t.rejects(updateProfile(deps)(gone.id, { displayName: 'x' }, context), {
    code: 'not_found',
  });
  await t.rejects(updateProfile(deps)(deps.ids.newId(), { displayName: 'x' }, context), {
    code: 'not_found',
  });
});
