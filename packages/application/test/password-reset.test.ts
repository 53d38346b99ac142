import { InvalidTokenError, ValidationError, type OneTimeToken, type User } from '@latchkey/domain';
import t from 'tap';
import {
  InMemoryJobQueue,
  InMemoryOneTimeTokenRepository,
  makeAccountDeps,
  type TestAccountDeps,
} from '../../../test/support/in-memory/index.js';
import {
  InvalidJobPayloadError,
  forgotPassword,
  login,
  requestPasswordReset,
  resetPassword,
} from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'test-agent' };
const NEW_PASSWORD = 'a brand new passphrase';

const issueReset = async (
  deps: TestAccountDeps,
  user: User,
  fields: Partial<OneTimeToken> = {},
): Promise<string> => {
  const raw = deps.secrets.generate();
  await new InMemoryOneTimeTokenRepository(deps.db.autocommit()).insert({
    tokenHash: deps.secrets.hash(raw),
    userId: user.id,
    purpose: 'password_reset',
    email: null,
    createdAt: deps.clock.now(),
    expiresAt: new Date(deps.clock.now().getTime() + 1800_000),
    usedAt: null,
    supersededAt: null,
    ...fields,
  });
  return raw;
};
const tokenOf = (deps: TestAccountDeps, raw: string) =>
  deps.db.committed.oneTimeTokens.get(deps.secrets.hash(raw));

t.test('forgotPassword queues the same job whether or not the account exists', async (t) => {
  const jobs = new InMemoryJobQueue();
  const forgot = forgotPassword({ jobs });
  await forgot('  Known@Example.com ');
  await forgot('nobody@example.com');
  t.same(jobs.jobs, [
    { task: 'password_reset_requested', payload: { email: 'Known@Example.com' } },
    { task: 'password_reset_requested', payload: { email: 'nobody@example.com' } },
  ]);
  await t.rejects(forgot('not an email'), ValidationError);
});

t.test('requestPasswordReset mails live accounts only, at their stored address', async (t) => {
  const deps = makeAccountDeps();
  const request = requestPasswordReset(deps);
  const live = await deps.seedUser({ email: 'Live@Example.com', status: 'unverified' });
  await deps.seedUser({ email: 'gone@example.com', deletedAt: deps.clock.now() });
  await deps.seedUser({ email: 'banned@example.com', status: 'suspended' });
  for (const email of ['live@EXAMPLE.com', 'gone@example.com', 'banned@example.com', 'x@y.z']) {
    await request({ email });
  }
  t.same(
    deps.mailCalls().map((m) => [m.kind, m.user.id, m.user.email]),
    [['requestPasswordReset', live.id, 'Live@Example.com']],
  );
  await t.rejects(request({ mail: 'x' }), InvalidJobPayloadError);
});

t.test('resetPassword: new password, every session revoked, other reset tokens dead', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'r@example.com', status: 'unverified' });
  const first = await deps.seedSession(user);
  const second = await deps.seedSession(user);
  const other = await issueReset(deps, user);
  const raw = await issueReset(deps, user);
  deps.clock.advance(1000);
  await resetPassword(deps)({ token: raw, password: NEW_PASSWORD }, context);

  const stored = await deps.users.findById(user.id);
  t.equal(stored?.passwordHash, deps.hasher.hashOf(NEW_PASSWORD));
  t.equal(stored?.status, 'active', 'the mail proved the address');
  t.same(stored?.updatedAt, deps.clock.now());
  for (const { session } of [first, second]) {
    t.same(deps.storedSession(session.id)?.session.revokedAt, deps.clock.now());
    t.equal(deps.storedSession(session.id)?.revokedReason, 'password_reset');
  }
  t.same(tokenOf(deps, raw)?.usedAt, deps.clock.now());
  t.same(tokenOf(deps, other)?.supersededAt, deps.clock.now(), 'every other reset token dies');
  t.same(
    deps.auditEvents().map((e) => [e.type, e.actorId, e.targetId, e.ip]),
    [['user.password_reset', user.id, user.id, '203.0.113.9']],
  );
  t.same(
    deps.mailCalls().map((m) => m.kind === 'passwordChanged' && [m.user.email, m.how]),
    [['r@example.com', 'reset']],
  );
  t.ok(await login(deps)({ email: 'r@example.com', password: NEW_PASSWORD }, context));
  await t.rejects(
    resetPassword(deps)({ token: raw, password: 'yet another passphrase' }, context),
    InvalidTokenError,
    'used',
  );
  await t.rejects(
    resetPassword(deps)({ token: other, password: 'yet another passphrase' }, context),
    InvalidTokenError,
    'superseded',
  );
});

t.test('resetPassword: the policy is checked before the token is consumed', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'p@example.com' });
  const raw = await issueReset(deps, user);
  for (const password of ['short', 'password1', 'p@example.com']) {
    await t.rejects(
      resetPassword(deps)({ token: raw, password }, context),
      ValidationError,
      password,
    );
  }
  t.equal(tokenOf(deps, raw)?.usedAt, null, 'still usable');
  t.equal(deps.hasher.hashCalls, 0, 'nothing hashed');
  await resetPassword(deps)({ token: raw, password: NEW_PASSWORD }, context);
});

t.test('resetPassword: unknown, expired, other purpose, deleted account', async (t) => {
  const deps = makeAccountDeps();
  const reset = resetPassword(deps);
  const user = await deps.seedUser();
  await t.rejects(reset({ token: 'nope', password: NEW_PASSWORD }, context), InvalidTokenError);
  const expired = await issueReset(deps, user, { expiresAt: deps.clock.now() });
  await t.rejects(reset({ token: expired, password: NEW_PASSWORD }, context), InvalidTokenError);
  const verify = await issueReset(deps, user, { purpose: 'verify_account', email: user.email });
  await t.rejects(reset({ token: verify, password: NEW_PASSWORD }, context), InvalidTokenError);
  const gone = await deps.seedUser({ deletedAt: deps.clock.now() });
  const goneToken = await issueReset(deps, gone);
  await t.rejects(reset({ token: goneToken, password: NEW_PASSWORD }, context), InvalidTokenError);
  t.same(deps.auditEvents(), []);
  t.same(deps.mailCalls(), []);
});
