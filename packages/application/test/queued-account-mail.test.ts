import { MAIL_QUOTA, type User } from '@latchkey/domain';
import t from 'tap';
import {
  InMemoryJobQueue,
  InMemoryMailLog,
  InMemoryOneTimeTokenRepository,
  makeAccountDeps,
} from '../../../test/support/in-memory/index.js';
import { QueuedAccountMail } from '../src/index.js';

const setup = async () => {
  const deps = makeAccountDeps();
  const tokens = new InMemoryOneTimeTokenRepository(deps.db.autocommit());
  const mailLog = new InMemoryMailLog();
  const jobs = new InMemoryJobQueue();
  const mail = new QueuedAccountMail({
    tokens,
    mailLog,
    jobs,
    secrets: deps.secrets,
    clock: deps.clock,
    settings: { verifyTokenTtl: 86_400, resetTokenTtl: 1800 },
  });
  const user = await deps.seedUser({
    email: 'Ann@Example.com',
    status: 'unverified',
    displayName: 'Ann',
  });
  return { deps, tokens, mailLog, jobs, mail, user };
};

t.test('a verification mail: token hash stored, raw token only in the job', async (t) => {
  const { deps, tokens, jobs, mail, user } = await setup();
  await mail.requestVerification(user, 'verify_account');
  const [job] = jobs.jobs;
  t.equal(job?.task, 'send_mail');
  const payload = jobs.mails()[0];
  t.match(payload, {
    kind: 'verify_account',
    to: 'Ann@Example.com',
    userId: user.id,
    displayName: 'Ann',
  });
  const raw = payload && 'token' in payload ? payload.token : '';
  t.equal(raw, deps.secrets.generated[0]);
  const stored = await tokens.find(deps.secrets.hash(raw));
  t.same(stored, {
    tokenHash: deps.secrets.hash(raw),
    userId: user.id,
    purpose: 'verify_account',
    email: 'Ann@Example.com',
    createdAt: deps.clock.now(),
    expiresAt: new Date(deps.clock.now().getTime() + 86_400_000),
    usedAt: null,
    supersededAt: null,
  });
  t.equal(await tokens.find(raw), null, 'the raw token is not a key');
});

t.test('a newer token supersedes the older ones of its purpose only', async (t) => {
  const { deps, tokens, mail, user } = await setup();
  await mail.requestVerification(user, 'verify_account');
  await mail.requestPasswordReset(user);
  deps.clock.advance(1000);
  await mail.requestVerification(user, 'verify_account');
  const [first, reset, second] = deps.secrets.generated.map((raw) => deps.secrets.hash(raw));
  t.same((await tokens.find(first ?? ''))?.supersededAt, deps.clock.now());
  t.equal((await tokens.find(reset ?? ''))?.supersededAt, null, 'the reset token stays');
  t.equal((await tokens.find(second ?? ''))?.supersededAt, null);
  const resetToken = await tokens.find(reset ?? '');
  t.equal(resetToken?.email, null);
  t.same(resetToken?.expiresAt, new Date(deps.clock.now().getTime() - 1000 + 1_800_000));
});

t.test('an email change goes to the pending address', async (t) => {
  const { deps, tokens, jobs, mail, user } = await setup();
  const changing: User = { ...user, pendingEmail: 'new@example.com' };
  await mail.requestVerification(changing, 'verify_email_change');
  t.match(jobs.mails()[0], { kind: 'verify_email_change', to: 'new@example.com' });
  const stored = await tokens.find(deps.secrets.hash(deps.secrets.generated[0] ?? ''));
  t.equal(stored?.email, 'new@example.com');
  t.equal(stored?.purpose, 'verify_email_change');
  await t.rejects(mail.requestVerification(user, 'verify_email_change'), /no pending email/);
});

t.test('at most 5 verification and reset mails per account per window', async (t) => {
  const { deps, jobs, mail, user } = await setup();
  const other = await deps.seedUser({ email: 'other@example.com' });
  for (let i = 0; i < 3; i += 1) await mail.requestVerification(user, 'verify_account');
  await mail.requestPasswordReset(user);
  await mail.requestPasswordReset(user);
  t.equal(jobs.mails().length, 5);
  await mail.requestVerification(user, 'verify_account');
  await mail.requestPasswordReset(user);
  t.equal(jobs.mails().length, 5, 'over the quota: no mail');
  t.equal(deps.secrets.generated.length, 5, 'and no token (the links sent keep working)');
  await mail.passwordChanged(user, 'changed');
  await mail.emailChanged({ ...user, email: 'new@example.com' }, user.email);
  t.equal(jobs.mails().length, 7, 'notices are not limited');
  await mail.requestPasswordReset(other);
  t.equal(jobs.mails().length, 8, 'per account');
  deps.clock.advance(MAIL_QUOTA.windowSeconds * 1000);
  await mail.requestVerification(user, 'verify_account');
  t.equal(jobs.mails().length, 9, 'a new window');
});

t.test('notices', async (t) => {
  const { jobs, mail, user } = await setup();
  await mail.passwordChanged(user, 'reset');
  await mail.emailChanged({ ...user, email: 'new@example.com' }, 'old@example.com');
  t.same(jobs.mails(), [
    { kind: 'password_changed', to: user.email, userId: user.id, displayName: 'Ann', how: 'reset' },
    {
      kind: 'email_changed',
      to: 'old@example.com',
      userId: user.id,
      displayName: 'Ann',
      newEmail: 'new@example.com',
    },
  ]);
});
