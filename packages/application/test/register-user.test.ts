import { EmailTakenError, ValidationError } from '@latchkey/domain';
import t from 'tap';
import { makeAccountDeps, UUID_V7_PATTERN } from '../../../test/support/in-memory/index.js';
import { registerUser } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'test-agent' };

t.test(
  'registers an unverified user with the user role and queues its verification mail',
  async (t) => {
    const deps = makeAccountDeps();
    const user = await registerUser(deps)(
      { email: '  New.User@Example.com ', password: 'correct horse battery', displayName: 'New' },
      context,
    );
    t.match(user, {
      email: 'New.User@Example.com',
      status: 'unverified',
      roles: ['user'],
      displayName: 'New',
      pendingEmail: null,
      emailVerifiedAt: null,
      deletedAt: null,
    });
    t.match(user.id, UUID_V7_PATTERN);
    t.same(user.createdAt, deps.clock.now());
    t.equal(user.passwordHash, deps.hasher.hashOf('correct horse battery'));
    t.same(await deps.users.findById(user.id), user);
    t.same(
      deps.auditEvents().map((e) => [e.type, e.actorId, e.targetId, e.ip, e.userAgent]),
      [['user.registered', user.id, user.id, context.ip, context.userAgent]],
    );
    t.same(deps.mailCalls(), [{ kind: 'requestVerification', user, purpose: 'verify_account' }]);
  },
);

t.test('displayName defaults to null', async (t) => {
  const deps = makeAccountDeps();
  const user = await registerUser(deps)(
    { email: 'a@example.com', password: 'correct horse battery' },
    context,
  );
  t.equal(user.displayName, null);
});

t.test('password policy', async (t) => {
  const deps = makeAccountDeps();
  const register = registerUser(deps);
  const refused = async (password: string, why: string, email = 'policy@example.com') => {
    const err = await register({ email, password }, context).catch((e: unknown) => e);
    t.type(err, ValidationError, why);
    t.same(
      (err as ValidationError).errors.map((e) => e.path),
      ['/password'],
      `${why}: path`,
    );
  };
  await refused('short12', 'under 8 characters');
  await refused('x'.repeat(129), '129 characters');
  await refused('😀'.repeat(129), '129 code points');
  await refused('password123', 'a common password');
  await refused('PassWord123', 'a common password in another case');
  await refused('ｐａｓｓｗｏｒｄ１２３', 'a common password once NFKC-normalised');
  await refused('Policy@Example.com', 'equal to the email, ignoring case');
  t.equal(deps.hasher.hashCalls, 0, 'nothing was hashed');
  t.same(deps.auditEvents(), []);

  const astral = await register(
    { email: 'astral@example.com', password: '😀'.repeat(128) },
    context,
  );
  t.ok(astral, '128 code points (256 UTF-16 units) is accepted');
  await register({ email: 'ligature@example.com', password: 'ﬃ'.repeat(3) }, context);
  t.equal(
    deps.hasher.passwords.at(-1),
    'ffiffiffi',
    'length counts the NFKC form, which is what gets hashed',
  );
  await register({ email: 'width@example.com', password: 'Ｃorrect horse' }, context);
  t.equal(
    deps.hasher.passwords.at(-1),
    'Correct horse',
    'hashed in NFKC form, nothing else changed',
  );
});

t.test('an invalid email is a validation error on /email', async (t) => {
  const deps = makeAccountDeps();
  const err = await registerUser(deps)(
    { email: 'not-an-email', password: 'correct horse battery' },
    context,
  ).catch((e: unknown) => e);
  t.type(err, ValidationError);
  t.same((err as ValidationError).errors, [
    { path: '/email', message: 'must be a valid email address' },
  ]);
});

t.test('email_taken, in any case, by a deleted account too, before any hashing', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'taken@example.com' });
  await deps.seedUser({ email: 'gone@example.com', deletedAt: deps.clock.now() });
  const register = registerUser(deps);
  await t.rejects(
    register({ email: 'TAKEN@example.com', password: 'correct horse battery' }, context),
    EmailTakenError,
  );
  await t.rejects(
    register({ email: 'Gone@Example.com', password: 'correct horse battery' }, context),
    EmailTakenError,
  );
  t.equal(deps.hasher.hashCalls, 0);
  t.same(deps.auditEvents(), []);
  t.same(deps.mailCalls(), []);
});

t.test(
  'two registrations racing for one email: one wins, the other gets email_taken',
  async (t) => {
    const deps = makeAccountDeps();
    const register = registerUser(deps);
    const results = await Promise.allSettled([
      register({ email: 'race@example.com', password: 'correct horse battery' }, context),
      register({ email: 'RACE@example.com', password: 'correct horse battery' }, context),
    ]);
    t.equal(deps.hasher.hashCalls, 2, 'both passed the early check');
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    t.type(lost?.reason, EmailTakenError);
    t.equal(deps.auditEvents().length, 1, 'the loser left no audit row');
    t.equal(deps.mailCalls().length, 1, 'and no mail');
  },
);
