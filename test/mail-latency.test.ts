import t from 'tap';
import { createSmtpSink, type ReceivedMail, type SmtpSink } from './support/smtp-sink.js';
import { GOOD_PASSWORD, startTestServer, uniqueEmail } from './support/test-server.js';

// Time from a registration's HTTP 201 to its verification mail arriving at the SMTP server:
// the real composition over a real socket, the in-process worker (WORKER_ENABLED, default),
// nodemailer to a local smtp-server. Sequential, one mail in flight at a time. smtp-server
// waits 100 ms before its greeting on every new connection (early-talker check), which a
// pooled transport (`?pool=true`) pays once.
const RUNS = 20;
const sink = await createSmtpSink();
t.teardown(() => sink.stop());

const measure = async (smtpUrl: string, mails: SmtpSink) => {
  const ts = await startTestServer({
    WORKER_ENABLED: 'true',
    SMTP_URL: smtpUrl,
    RATE_LIMIT_AUTH_MAX: '10000',
    RATE_LIMIT_MAX: '10000',
  });
  try {
    await ts.app.listen({ host: '127.0.0.1', port: 0 });
    const address = ts.app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const samples: number[] = [];
    for (let i = 0; i < RUNS + 2; i += 1) {
      const email = uniqueEmail('latency');
      const arrival = mails.waitFor(
        (mail: ReceivedMail) => mail.to.toLowerCase() === email.toLowerCase(),
        10_000,
      );
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: GOOD_PASSWORD }),
      });
      const created = performance.now();
      if (res.status !== 201) throw new Error(`register: ${res.status}`);
      const mail = await arrival;
      // The first two warm up connections and code paths.
      if (i >= 2) samples.push(mail.receivedAt - created);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      median: ((sorted[RUNS / 2 - 1] ?? 0) + (sorted[RUNS / 2] ?? 0)) / 2,
      min: sorted[0] ?? 0,
      max: sorted.at(-1) ?? 0,
    };
  } finally {
    await ts.close();
  }
};

for (const [name, url] of [
  ['a new SMTP connection per mail (default)', sink.url],
  ['pooled SMTP connections (?pool=true)', `${sink.url}&pool=true`],
] as const) {
  t.test(`registration (201) to mail received, median of ${RUNS}: ${name}`, async (t) => {
    const { median, min, max } = await measure(url, sink);
    t.comment(`median ${median.toFixed(1)} ms, min ${min.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    t.ok(median < 1000, 'well under a second');
  });
}
