import {
  AccountSuspendedError,
  InvalidCredentialsError,
  RateLimitedError,
  ValidationError,
} from '@latchkey/domain';
import t, { type Test } from 'tap';
import { makeAccountDeps, type TestAccountDeps } from '../../../test/support/in-memory/index.js';
import { login } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };
const PASSWORD = 'correct horse battery';

/** Asserts an invalid_credentials answer that cost exactly one hasher verification. */
const refused = async (
  t: Test,
  deps: TestAccountDeps,
  email: string,
  password: string,
  what: string,
) => {
  deps.hasher.reset();
  await t.rejects(login(deps)({ email, password }, context), InvalidCredentialsError, what);
  t.equal(deps.hasher.verifications, 1, `${what}: the hasher ran exactly once`);
  t.equal(deps.hasher.hashCalls, 0, `${what}: nothing was hashed`);
};

t.test('signs in: a session, a token pair, lastLoginAt, an audit row', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'ada@example.com', roles: ['support', 'user'] });
  deps.clock.advance(60_000);
  const result = await login(deps)({ email: '  ADA@example.com ', password: PASSWORD }, context);
  t.equal(deps.hasher.verifyCalls, 1);
  t.equal(deps.hasher.verifyDummyCalls, 0);
  t.same(result.user.lastLoginAt, deps.clock.now());
  t.same(result.user.updatedAt, user.updatedAt, 'a sign-in alone does not change updatedAt');
  t.equal(result.expiresIn, 900);
  t.equal(result.refresh.maxAge, deps.settings.refreshTokenTtl);
  const [session] = await deps.sessions.listActive(user.id, deps.clock.now());
  t.ok(session, 'a session was opened');
  t.same(deps.accessTokens.decode(result.accessToken), {
    sub: user.id,
    sid: session?.id,
    roles: ['support', 'user'],
    perms: ['users:read'],
  });
  t.match(session, { ip: context.ip, userAgent: context.userAgent });
  const found = await deps.sessions.findByTokenHashForUpdate(
    deps.secrets.hash(result.refresh.token),
  );
  t.equal(found?.session.id, session?.id, 'the refresh token belongs to the session');
  t.same((await deps.users.findById(user.id))?.lastLoginAt, deps.clock.now());
  t.same(
    deps.auditEvents().map((e) => [e.type, e.actorId, e.data]),
    [['user.login_succeeded', user.id, { sessionId: session?.id }]],
  );
});

t.test('a long user agent is cut to 512 characters', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'ua@example.com' });
  await login(deps)(
    { email: 'ua@example.com', password: PASSWORD },
    { ip: null, userAgent: 'x'.repeat(2000) },
  );
  const [stored] = deps.db.committed.sessions.values();
  t.equal(stored?.session.userAgent?.length, 512);
});

t.test('a request without a user agent or IP opens a session without them', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'bare@example.com' });
  await login(deps)(
    { email: 'bare@example.com', password: PASSWORD },
    { ip: null, userAgent: null },
  );
  const [stored] = deps.db.committed.sessions.values();
  t.match(stored?.session, { userAgent: null, ip: null });
});

t.test('every invalid_credentials path runs the hasher exactly once', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'known@example.com' });
  await deps.seedUser({ email: 'deleted@example.com', deletedAt: deps.clock.now() });
  await deps.seedUser({ email: 'provider@example.com', password: null });
  await refused(t, deps, 'unknown@example.com', PASSWORD, 'unknown email');
  t.equal(deps.hasher.verifyDummyCalls, 1, 'unknown email: against the dummy hash');
  await refused(t, deps, 'known@example.com', 'wrong password!', 'wrong password');
  t.equal(deps.hasher.verifyCalls, 1, 'wrong password: against the real hash');
  await refused(t, deps, 'known@example.com', '', 'empty password');
  await refused(t, deps, 'deleted@example.com', PASSWORD, 'deleted account, right password');
  t.equal(deps.hasher.verifyDummyCalls, 1, 'deleted account: against the dummy hash');
  await refused(t, deps, 'provider@example.com', PASSWORD, 'account without a password');
  await refused(t, deps, '', PASSWORD, 'empty email');

  const failures = deps.auditEvents();
  t.equal(failures.length, 6);
  t.ok(failures.every((e) => e.type === 'user.login_failed' && e.actorId === null));
  t.same(failures[0]?.data, { email: 'unknown@example.com' }, 'an unknown email is recorded');
  t.equal(failures[1]?.targetId, user.id, 'a known account is the target');
  t.same(failures[1]?.data, {});
  t.equal(await deps.sessions.listActive(user.id, deps.clock.now()).then((s) => s.length), 0);
});

t.test('suspended: account_suspended only after a correct password', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'sus@example.com', status: 'suspended' });
  await refused(t, deps, 'sus@example.com', 'wrong password!', 'suspended, wrong password');
  await t.rejects(
    login(deps)({ email: 'sus@example.com', password: PASSWORD }, context),
    AccountSuspendedError,
  );
  t.equal(deps.db.committed.sessions.size, 0);
});

t.test(
  'suspended or deleted while the password was checked: refused, nothing stamped',
  async (t) => {
    for (const change of [{ status: 'suspended' as const }, { deletedAt: new Date(0) }]) {
      const deps = makeAccountDeps();
      const user = await deps.seedUser({ email: 'racer@example.com' });
      const verify = deps.hasher.verify.bind(deps.hasher);
      // An admin's change commits while the hash is being checked, before the transaction.
      deps.hasher.verify = async (hash, password) => {
        const ok = await verify(hash, password);
        await deps.users.update({ ...user, ...change });
        return ok;
      };
      await t.rejects(
        login(deps)({ email: 'racer@example.com', password: PASSWORD }, context),
        'status' in change ? AccountSuspendedError : InvalidCredentialsError,
      );
      t.equal(deps.db.committed.sessions.size, 0, 'no session');
      t.equal((await deps.users.findById(user.id))?.lastLoginAt, null, 'the stamp rolled back');
    }
  },
);

/** Counts the transactions `deps` runs and the sign-ins written in one step, and their answers. */
const countWrites = (deps: TestAccountDeps) => {
  const counts = { transactions: 0, oneStep: [] as boolean[] };
  const run = deps.unitOfWork.run.bind(deps.unitOfWork);
  deps.unitOfWork.run = (work) => {
    counts.transactions += 1;
    return run(work);
  };
  const record = deps.signIns.recordIfUnchanged.bind(deps.signIns);
  deps.signIns.recordIfUnchanged = async (signIn) => {
    const recorded = await record(signIn);
    counts.oneStep.push(recorded);
    return recorded;
  };
  return counts;
};

t.test('nothing changed while the password was checked: one write, no transaction', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'quiet@example.com', roles: ['support', 'user'] });
  const counts = countWrites(deps);
  const result = await login(deps)({ email: 'quiet@example.com', password: PASSWORD }, context);
  t.same(counts, { transactions: 0, oneStep: [true] });
  t.same(result.user, { ...user, lastLoginAt: deps.clock.now() });
  t.match(deps.accessTokens.decode(result.accessToken), { perms: ['users:read'] });
  t.equal(deps.db.committed.sessions.size, 1);
});

t.test(
  'changed while the password was checked, still allowed in: signed in on the current row',
  async (t) => {
    const deps = makeAccountDeps();
    const user = await deps.seedUser({ email: 'moving@example.com' });
    const counts = countWrites(deps);
    const verify = deps.hasher.verify.bind(deps.hasher);
    // An admin renames the user and grants a role while the hash is being checked.
    deps.hasher.verify = async (hash, password) => {
      const ok = await verify(hash, password);
      deps.clock.advance(1000);
      await deps.users.update({ ...user, displayName: 'Renamed', updatedAt: deps.clock.now() });
      await deps.users.setRoles(user.id, ['support', 'user']);
      return ok;
    };
    const result = await login(deps)({ email: 'moving@example.com', password: PASSWORD }, context);
    t.same(counts, { transactions: 1, oneStep: [false] }, 'the one-step write refused');
    t.match(result.user, { displayName: 'Renamed', roles: ['support', 'user'] });
    t.match(deps.accessTokens.decode(result.accessToken), {
      roles: ['support', 'user'],
      perms: ['users:read'],
    });
    const sessions = [...deps.db.committed.sessions.values()];
    t.equal(sessions.length, 1, 'one session, of the transaction');
    t.same(
      deps.auditEvents().map((e) => [e.type, e.data]),
      [['user.login_succeeded', { sessionId: sessions[0]?.session.id }]],
    );
  },
);

t.test('unverified accounts can sign in', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'new@example.com', status: 'unverified' });
  t.ok(await login(deps)({ email: 'new@example.com', password: PASSWORD }, context));
});

t.test('a password over 128 code points is refused before any hashing', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'long@example.com' });
  await t.rejects(
    login(deps)({ email: 'long@example.com', password: 'p'.repeat(129) }, context),
    ValidationError,
  );
  t.equal(deps.hasher.verifications, 0);
});

t.test('passwords are compared in NFKC form', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'nfkc@example.com', password: 'Ｃorrect horse' });
  t.ok(await login(deps)({ email: 'nfkc@example.com', password: 'Correct horse' }, context));
  t.ok(await login(deps)({ email: 'nfkc@example.com', password: 'Ｃorrect horse' }, context));
  await t.rejects(
    login(deps)({ email: 'nfkc@example.com', password: 'correct horse' }, context),
    InvalidCredentialsError,
    'no case folding',
  );
});

t.test('rehashes a password hashed with older parameters', async (t) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser({ email: 'old@example.com' });
  deps.hasher.version = 2;
  deps.clock.advance(1000);
  await login(deps)({ email: 'old@example.com', password: PASSWORD }, context);
  t.equal(deps.hasher.hashCalls, 1);
  const stored = await deps.users.findById(user.id);
  t.equal(stored?.passwordHash, deps.hasher.hashOf(PASSWORD, 2));
  t.same(stored?.updatedAt, deps.clock.now());
  deps.hasher.reset();
  await login(deps)({ email: 'old@example.com', password: PASSWORD }, context);
  t.equal(deps.hasher.hashCalls, 0, 'not twice');
});

t.test('per-account throttle, keyed on the normalised email, account or not', async (t) => {
  const deps = makeAccountDeps({ throttle: { threshold: 3, windowSeconds: 900 } });
  await deps.seedUser({ email: 'victim@example.com' });
  const attempt = (email: string, password: string) => login(deps)({ email, password }, context);
  await t.rejects(attempt('victim@example.com', 'wrong password 1'), InvalidCredentialsError);
  await t.rejects(attempt('VICTIM@example.com', 'wrong password 2'), InvalidCredentialsError);
  await t.rejects(
    attempt(' victim@example.com', 'wrong password 3'),
    InvalidCredentialsError,
    'the locking failure still answers 401',
  );
  t.same(
    deps.auditEvents().map((e) => e.type),
    ['user.login_failed', 'user.login_failed', 'user.login_locked'],
  );

  deps.hasher.reset();
  const err = await attempt('victim@example.com', PASSWORD).catch((e: unknown) => e);
  t.type(err, RateLimitedError, 'locked even with the right password');
  t.ok((err as RateLimitedError).retryAfterSeconds > 0);
  t.equal(deps.hasher.verifications, 0, 'a locked login costs no hashing');

  deps.clock.advance(901_000);
  t.ok(await attempt('victim@example.com', PASSWORD), 'unlocked after the window');

  for (let i = 0; i < 3; i += 1)
    await t.rejects(attempt('ghost@example.com', 'whatever123'), InvalidCredentialsError);
  await t.rejects(
    attempt('ghost@example.com', 'whatever123'),
    RateLimitedError,
    'unknown emails lock the same way',
  );
});

t.test('a successful sign-in forgets earlier failures', async (t) => {
  const deps = makeAccountDeps({ throttle: { threshold: 3 } });
  await deps.seedUser({ email: 'forgetful@example.com' });
  const attempt = (password: string) =>
    login(deps)({ email: 'forgetful@example.com', password }, context);
  await t.rejects(attempt('nope nope 1'));
  await t.rejects(attempt('nope nope 2'));
  await attempt(PASSWORD);
  await t.rejects(attempt('nope nope 3'));
  await t.rejects(attempt('nope nope 4'), InvalidCredentialsError);
  t.ok(await attempt(PASSWORD), 'not locked: the count started over');
});
