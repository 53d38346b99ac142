import { AlreadyVerifiedError } from '@latchkey/domain';
import t from 'tap';
import { makeAccountDeps } from '../../../test/support/in-memory/index.js';
import { resendVerification } from '../src/index.js';

const context = { ip: null, userAgent: null };

t.test('mails what is pending: the account first, else the pending email', async (t) => {
  const deps = makeAccountDeps();
  const resend = resendVerification(deps);
  const unverified = await deps.seedUser({ status: 'unverified', pendingEmail: 'p@example.com' });
  const changing = await deps.seedUser({ status: 'active', pendingEmail: 'q@example.com' });
  await resend(unverified.id, context);
  await resend(changing.id, context);
  t.same(
    deps.mailCalls().map((m) => m.kind === 'requestVerification' && [m.user.id, m.purpose]),
    [
      [unverified.id, 'verify_account'],
      [changing.id, 'verify_email_change'],
    ],
  );
});

t.test('409 already_verified when nothing is pending; a deleted user is not found', async (t) => {
  const deps = makeAccountDeps();
  const resend = resendVerification(deps);
  const done = await deps.seedUser({ status: 'active' });
  await t.rejects(resend(done.id, context), AlreadyVerifiedError);
  const gone = await deps.seedUser({ status: 'unverified', deletedAt: deps.clock.now() });
  await t.rejects(resend(gone.id, context), { code: 'not_found' });
  t.same(deps.mailCalls(), []);
});
