import type { ChildProcess } from 'node:child_process';
import t from 'tap';
import type pg from 'pg';
import { createPool } from '@latchkey/adapters-postgres';
import { spawnCli } from './helpers/cli-process.js';
import { createSmtpSink, type ReceivedMail } from './support/smtp-sink.js';
import { GOOD_PASSWORD, startTestServer, uniqueEmail } from './support/test-server.js';

const to = (email: string, kind?: string) => (mail: ReceivedMail) =>
  mail.to.toLowerCase() === email.toLowerCase() && (kind === undefined || mail.kind === kind);

interface JobState {
  attempts: number;
  locked_by: string | null;
  last_error: string | null;
}
const jobOf = async (db: pg.Pool, email: string): Promise<JobState | undefined> => {
  const { rows } = await db.query<JobState>(
    `select j.attempts, j.locked_by, j.last_error from graphile_worker._private_jobs j
      where j.payload->>'to' ilike $1`,
    [email],
  );
  return rows[0];
};
const until = async <T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  ms = 20_000,
) => {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

t.test(
  'SMTP down: the job is retried and delivered once it is back; the API keeps answering',
  async (t) => {
    const sink = await createSmtpSink({ listen: false });
    const ts = await startTestServer({ WORKER_ENABLED: 'true', SMTP_URL: sink.url });
    const db = createPool({ connectionString: ts.databaseUrl, max: 2 });
    t.teardown(async () => {
      await db.end();
      await ts.close();
      await sink.stop();
    });
    const email = uniqueEmail('smtp-down');
    const reg = await ts.app.inject({
      method: 'POST',
      url: '/api/v1/register',
      payload: { email, password: GOOD_PASSWORD },
    });
    t.equal(reg.statusCode, 201, 'registration does not wait for SMTP');

    const failed = await until('a failed attempt', async () => {
      const job = await jobOf(db, email);
      return job !== undefined && job.attempts >= 1 && job.locked_by === null && job;
    });
    t.match(failed.last_error, /ECONNREFUSED/);
    const health = await ts.app.inject({ method: 'GET', url: '/health' });
    t.equal(health.statusCode, 200);
    const login = await ts.app.inject({
      method: 'POST',
      url: '/api/v1/login',
      payload: { email, password: GOOD_PASSWORD },
    });
    t.equal(login.statusCode, 200, 'the API keeps answering');

    await sink.start();
    const mail = await sink.waitFor(to(email, 'verify_account'), 30_000);
    t.ok(mail.link, 'delivered once SMTP is back');
    await until('the job to finish', async () => (await jobOf(db, email)) === undefined);
    t.equal(sink.mails.filter(to(email)).length, 1, 'exactly once');
  },
);

/** Runs `latchkey worker` as its own process, as `pnpm cli worker` does. */
const spawnWorker = (env: Record<string, string>): ChildProcess & { output: () => string } => {
  const child = spawnCli(['worker'], { ...process.env, ...env });
  child.stdin.end();
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
};
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

t.test(
  'SIGTERM to a worker process mid-job: the job is released and runs after restart',
  async (t) => {
    const sink = await createSmtpSink();
    sink.stall = true; // the first delivery hangs in DATA
    const ts = await startTestServer({ WORKER_ENABLED: 'false', SMTP_URL: sink.url });
    const db = createPool({ connectionString: ts.databaseUrl, max: 2 });
    const env = {
      APP_ENV: 'test',
      DATABASE_URL: ts.databaseUrl,
      SMTP_URL: sink.url,
      LOG_LEVEL: 'info',
    };
    const children: ChildProcess[] = [];
    t.teardown(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await db.end();
      await ts.close();
      await sink.stop();
    });

    const first = spawnWorker(env);
    children.push(first);
    const email = uniqueEmail('sigterm');
    const dataPhase = sink.waitForData(30_000);
    const reg = await ts.app.inject({
      method: 'POST',
      url: '/api/v1/register',
      payload: { email, password: GOOD_PASSWORD },
    });
    t.equal(reg.statusCode, 201);
    await dataPhase;
    const locked = await jobOf(db, email);
    t.ok(locked?.locked_by, 'the worker holds the job');

    const stoppedAt = performance.now();
    first.kill('SIGTERM');
    const code = await exited(first);
    t.equal(code, 0, 'a clean exit');
    t.ok(performance.now() - stoppedAt < 9000, 'within the shutdown deadline');
    const released = await jobOf(db, email);
    if (released?.locked_by !== null) t.comment(first.output());
    t.equal(released?.locked_by, null, 'released, not left locked for 4 hours');
    t.equal(released?.attempts, 1, 'the interrupted attempt counts as one failure');
    t.equal(sink.mails.filter(to(email)).length, 0, 'nothing was delivered');

    sink.stall = false;
    const second = spawnWorker(env);
    children.push(second);
    const mail = await sink.waitFor(to(email, 'verify_account'), 30_000);
    t.ok(mail.link, 'the restarted worker delivers it');
    await until('the job to finish', async () => (await jobOf(db, email)) === undefined);
    second.kill('SIGTERM');
    t.equal(await exited(second), 0);
    t.match(second.output(), /job worker started/);
    t.equal(sink.mails.filter(to(email)).length, 1, 'exactly once');
  },
);
