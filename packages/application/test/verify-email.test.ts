import {
  EmailTakenError,
  InvalidTokenError,
  type OneTimeToken,
  type OneTimeTokenPurpose,
  type User,
} from '@latchkey/domain';
import t from 'tap';
import {
  InMemoryOneTimeTokenRepository,
  makeAccountDeps,
  type TestAccountDeps,
} from '../../../test/support/in-memory/index.js';
import { verifyEmail } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'test-agent' };

/** Stores a token for `user` and returns the raw token, as a mail would carry it. */
const issue = async (
  deps: TestAccountDeps,
  user: User,
  purpose: OneTimeTokenPurpose,
  fields: Partial<OneTimeToken> = {},
): Promise<string> => {
  const raw = deps.secrets.generate();
  await new InMemoryOneTimeTokenRepository(deps.db.autocommit()).insert({
    tokenHash: deps.secrets.hash(raw),
    userId: user.id,
    purpose,
    email: purpose === 'verify_email_change' ? user.pendingEmail : user.email,
    createdAt: deps.clock.now(),
    expiresAt: new Date(deps.clock.now().getTime() + 3600_000),
    usedAt: null,
    supersededAt: null,
    ...fields,
  });
  return raw;
};

const tokenOf = (deps: TestAccountDeps, raw: string) =>
  deps.db.committed.oneTimeTokens.get(deps.secrets.hash(raw));

t.test('an account token activates the account once; repeating it answers again', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ status: 'unverified' });
  const raw = await issue(deps, user, 'verify_account');
  deps.clock.advance(1000);
  const verified = await verifyEmail(deps)(raw, context);
  t.equal(verified.status, 'active');
  t.same(verified.emailVerifiedAt, deps.clock.now());
  t.same(await deps.users.findById(user.id), verified);
  t.same(tokenOf(deps, raw)?.usedAt, deps.clock.now());
  t.same(
    deps.auditEvents().map((e) => [e.type, e.targetId, e.data]),
    [['user.email_verified', user.id, { purpose: 'verify_account' }]],
  );

  deps.clock.advance(1000);
  const again = await verifyEmail(deps)(raw, context);
  t.same(again, verified, 'used and unexpired: the user again, no change');
  t.equal(deps.auditEvents().length, 1);

  deps.clock.advance(3600_000);
  await t.rejects(verifyEmail(deps)(raw, context), InvalidTokenError, 'expired: no longer');
});

t.test('unknown, expired, superseded, wrong-purpose tokens are invalid_token', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ status: 'unverified' });
  const verify = verifyEmail(deps);
  await t.rejects(verify('not-a-token', context), InvalidTokenError);
  const expired = await issue(deps, user, 'verify_account', { expiresAt: deps.clock.now() });
  await t.rejects(verify(expired, context), InvalidTokenError, 'expired');
  const superseded = await issue(deps, user, 'verify_account', { supersededAt: deps.clock.now() });
  await t.rejects(verify(superseded, context), InvalidTokenError, 'superseded');
  const reset = await issue(deps, user, 'password_reset', { email: null });
  await t.rejects(verify(reset, context), InvalidTokenError, 'a reset token');
  t.equal(tokenOf(deps, reset)?.usedAt, null, 'left unused');
  const usedSuperseded = await issue(deps, user, 'verify_account', {
    usedAt: deps.clock.now(),
    supersededAt: deps.clock.now(),
  });
  await t.rejects(verify(usedSuperseded, context), InvalidTokenError, 'used then superseded');
  t.equal((await deps.users.findById(user.id))?.status, 'unverified', 'no state change');
  t.same(deps.auditEvents(), []);
});

t.test('a token for an address the account no longer has, or a deleted account', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ status: 'unverified', email: 'old@example.com' });
  const raw = await issue(deps, user, 'verify_account');
  await deps.users.update({ ...user, email: 'admin-set@example.com' });
  await t.rejects(verifyEmail(deps)(raw, context), InvalidTokenError);
  t.equal(tokenOf(deps, raw)?.usedAt, null, 'rolled back');

  const gone = await deps.seedUser({ status: 'unverified', deletedAt: deps.clock.now() });
  await t.rejects(
    verifyEmail(deps)(await issue(deps, gone, 'verify_account'), context),
    InvalidTokenError,
  );
});

t.test('an already active account stays as it is', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ status: 'active' });
  const raw = await issue(deps, user, 'verify_account');
  t.same(await verifyEmail(deps)(raw, context), user);
  t.same(deps.auditEvents(), []);
});

t.test('an email change replaces the email and notifies the old address', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'old@example.com', pendingEmail: 'New@Example.com' });
  const raw = await issue(deps, user, 'verify_email_change');
  const accountToken = await issue(deps, user, 'verify_account');
  const resetToken = await issue(deps, user, 'password_reset', { email: null });
  deps.clock.advance(1000);
  const changed = await verifyEmail(deps)(raw, context);
  t.match(changed, { email: 'New@Example.com', pendingEmail: null, status: 'active' });
  t.same(changed.emailVerifiedAt, deps.clock.now());
  t.same(await deps.users.findById(user.id), changed);
  t.same(
    deps
      .mailCalls()
      .map((m) => (m.kind === 'emailChanged' ? [m.kind, m.oldEmail, m.user.email] : m.kind)),
    [['emailChanged', 'old@example.com', 'New@Example.com']],
  );
  t.same(tokenOf(deps, accountToken)?.supersededAt, deps.clock.now(), 'old-address links die');
  t.same(tokenOf(deps, resetToken)?.supersededAt, deps.clock.now());
  t.same(
    deps.auditEvents().map((e) => [e.type, e.data]),
    [['user.email_verified', { purpose: 'verify_email_change' }]],
  );
  t.same(await verifyEmail(deps)(raw, context), changed, 'repeat: 200 again');
});

t.test('an email change whose address was taken meanwhile is dropped (email_taken)', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'me@example.com', pendingEmail: 'wanted@example.com' });
  const raw = await issue(deps, user, 'verify_email_change');
  await deps.seedUser({ email: 'WANTED@example.com' });
  await t.rejects(verifyEmail(deps)(raw, context), EmailTakenError);
  const stored = await deps.users.findById(user.id);
  t.equal(stored?.pendingEmail, null, 'the pending change is dropped');
  t.equal(stored?.email, 'me@example.com');
  t.not(tokenOf(deps, raw)?.supersededAt, null, 'its link is dead');
  await t.rejects(verifyEmail(deps)(raw, context), InvalidTokenError);
  t.same(deps.mailCalls(), []);
  t.same(
    deps.auditEvents().map((e) => [e.type, e.data]),
    [['user.updated', { pendingEmailDropped: 'email_taken' }]],
  );
});

t.test('a unique violation on the write (a race) also drops the change', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'me@example.com', pendingEmail: 'wanted@example.com' });
  const raw = await issue(deps, user, 'verify_email_change');
  // The holder appears between the check and the write: findByEmail misses it once.
  const holder = await deps.seedUser({ email: 'WANTED@example.com' });
  const realRun = deps.unitOfWork.run.bind(deps.unitOfWork);
  let first = true;
  deps.unitOfWork.run = (work) =>
    realRun((repos) => {
      if (!first) return work(repos);
      first = false;
      const findByEmail = repos.users.findByEmail.bind(repos.users);
      repos.users.findByEmail = async (email) => {
        const found = await findByEmail(email);
        return found?.id === holder.id ? null : found;
      };
      return work(repos);
    });
  await t.rejects(verifyEmail(deps)(raw, context), EmailTakenError);
  t.equal((await deps.users.findById(user.id))?.pendingEmail, null);
  t.not(tokenOf(deps, raw)?.supersededAt, null);
});

t.test('an email-change token no longer matching the pending address is invalid', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ pendingEmail: 'first@example.com' });
  const raw = await issue(deps, user, 'verify_email_change');
  await deps.users.update({ ...user, pendingEmail: null });
  await t.rejects(verifyEmail(deps)(raw, context), InvalidTokenError);
});
