import type { MailMessage } from '@latchkey/domain';
import t from 'tap';
import { createSmtpSink, freePort } from '../../../test/support/smtp-sink.js';
import { LogMailer, NodemailerMailer, type LoggedMail } from '../src/index.js';

const message: MailMessage = {
  to: 'Ann@Example.com',
  subject: 'Reset your Latchkey password',
  text: 'Choose a new password: https://id.example.com/account/reset-password?token=abc\n',
  html: '<p><a href="https://id.example.com/account/reset-password?token=abc">Reset</a></p>',
  link: 'https://id.example.com/account/reset-password?token=abc',
  kind: 'password_reset',
};

t.test('NodemailerMailer delivers text and HTML over SMTP', async (t) => {
  const sink = await createSmtpSink();
  t.teardown(() => sink.stop());
  const mailer = new NodemailerMailer({
    smtpUrl: sink.url,
    from: 'Latchkey <no-reply@example.com>',
  });
  t.teardown(() => mailer.close());
  await mailer.verify();
  await mailer.send(message);
  const [mail] = sink.mails;
  t.equal(mail?.to, 'Ann@example.com');
  t.match(mail?.from, /no-reply@example\.com/);
  t.equal(mail?.subject, message.subject);
  t.equal(mail?.text, message.text);
  t.equal(mail?.html, message.html);
  t.equal(mail?.kind, 'password_reset');
  t.equal(mail?.link, message.link);
});

t.test('NodemailerMailer throws when the server is down (the job is retried)', async (t) => {
  const port = await freePort();
  const mailer = new NodemailerMailer({
    smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    from: 'no-reply@example.com',
  });
  await t.rejects(mailer.send(message), /ECONNREFUSED/);
});

t.test('LogMailer writes one entry per mail, with its link', async (t) => {
  const lines: LoggedMail[] = [];
  await new LogMailer((mail) => lines.push(mail)).send(message);
  t.same(lines, [
    {
      kind: 'password_reset',
      to: 'Ann@Example.com',
      subject: message.subject,
      link: message.link,
      text: message.text,
    },
  ]);
});
