import type { MailRequest } from '@latchkey/domain';
import t from 'tap';
import { RecordingMailer } from '../../../test/support/in-memory/index.js';
import {
  InvalidJobPayloadError,
  deliverMail,
  describeDuration,
  maskEmail,
  parseMailRequest,
  parseResetRequest,
  renderMail,
} from '../src/index.js';

const templates = {
  publicUrl: 'https://id.example.com',
  verifyTokenTtl: 86_400,
  resetTokenTtl: 1800,
};
const base = { to: 'ann@example.com', userId: 'u1', displayName: 'Ann & <Co>' };
const TOKEN = 'abc_DEF-123';

t.test('link mails carry the contract links under PUBLIC_URL', async (t) => {
  const verify = renderMail({ ...base, kind: 'verify_account', token: TOKEN }, templates);
  t.equal(verify.link, `https://id.example.com/api/v1/verify/${TOKEN}`);
  t.equal(verify.to, 'ann@example.com');
  t.equal(verify.kind, 'verify_account');
  t.match(verify.text, verify.link ?? '');
  t.match(verify.text, /24 hours/);
  t.match(verify.html, `href="${verify.link}"`);
  t.match(verify.text, 'Hello Ann & <Co>,');
  t.match(verify.html, 'Hello Ann &amp; &lt;Co&gt;,');
  t.notMatch(verify.html, '<Co>');

  const change = renderMail({ ...base, kind: 'verify_email_change', token: TOKEN }, templates);
  t.equal(change.link, `https://id.example.com/api/v1/verify/${TOKEN}`);
  t.not(change.subject, verify.subject);

  const reset = renderMail({ ...base, kind: 'password_reset', token: TOKEN }, templates);
  t.equal(reset.link, `https://id.example.com/account/reset-password?token=${TOKEN}`);
  t.match(reset.text, /30 minutes/);
});

t.test('notices have no link', async (t) => {
  const changed = renderMail({ ...base, kind: 'password_changed', how: 'changed' }, templates);
  t.equal(changed.link, null);
  t.match(changed.subject, /changed/);
  t.match(changed.text, /Every other session/);
  const reset = renderMail({ ...base, kind: 'password_changed', how: 'reset' }, templates);
  t.match(reset.subject, /reset/);
  const email = renderMail(
    { ...base, displayName: null, kind: 'email_changed', newEmail: 'new.address@example.org' },
    templates,
  );
  t.match(email.text, /^Hello,/);
  t.match(email.text, 'ne***@example.org');
  t.notMatch(email.text, 'new.address@');
});

t.test('helpers', async (t) => {
  t.equal(maskEmail('a@b.c'), 'a***@b.c');
  t.equal(maskEmail('nobody'), '***');
  t.equal(describeDuration(3600), '1 hour');
  t.equal(describeDuration(7200), '2 hours');
  t.equal(describeDuration(1800), '30 minutes');
  t.equal(describeDuration(60), '1 minute');
  t.equal(describeDuration(5), '1 minute');
});

t.test('payloads are checked', async (t) => {
  const good: MailRequest = { ...base, kind: 'password_reset', token: TOKEN };
  t.same(parseMailRequest(JSON.parse(JSON.stringify(good))), good);
  t.same(
    parseMailRequest({ ...base, displayName: undefined, kind: 'email_changed', newEmail: 'x@y.z' }),
    {
      ...base,
      displayName: null,
      kind: 'email_changed',
      newEmail: 'x@y.z',
    },
  );
  const bad: unknown[] = [
    null,
    [],
    'x',
    { ...base, kind: 'nope' },
    { ...base, kind: 'verify_account' },
    { ...base, kind: 'verify_account', token: '' },
    { ...base, to: 3, kind: 'verify_account', token: TOKEN },
    { ...base, kind: 'password_changed', how: 'other' },
    { ...base, kind: 'email_changed' },
  ];
  for (const payload of bad) t.throws(() => parseMailRequest(payload), InvalidJobPayloadError);
  t.same(parseResetRequest({ email: 'a@b.c' }), { email: 'a@b.c' });
  t.throws(() => parseResetRequest({}), InvalidJobPayloadError);
  t.throws(() => parseResetRequest(null), InvalidJobPayloadError);
});

t.test('deliverMail renders and sends; a failed send throws (the job is retried)', async (t) => {
  const mailer = new RecordingMailer();
  const deliver = deliverMail({ mailer, templates });
  await deliver({ ...base, kind: 'verify_account', token: TOKEN });
  t.equal(mailer.sent.length, 1);
  t.equal(mailer.sent[0]?.link, `https://id.example.com/api/v1/verify/${TOKEN}`);
  mailer.failWith = new Error('connect ECONNREFUSED');
  await t.rejects(deliver({ ...base, kind: 'verify_account', token: TOKEN }), /ECONNREFUSED/);
  await t.rejects(deliver({ kind: 'verify_account' }), InvalidJobPayloadError);
});
