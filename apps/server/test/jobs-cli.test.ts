import { createPool } from '@latchkey/adapters-postgres';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { runCli } from '../src/cli/run-cli.js';

const database = await createTestDatabase({ migrate: false });
const db = createPool({ connectionString: database.url, max: 2 });
t.teardown(async () => {
  await db.end();
  await database.drop();
});
const env = { APP_ENV: 'test', DATABASE_URL: database.url };

const cli = async (...args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    stdout: (line) => (stdout += `${line}\n`),
    stderr: (line) => (stderr += `${line}\n`),
  });
  return { code, stdout, stderr };
};

t.test('migrate up also installs the job queue schema (graphile-worker)', async (t) => {
  const up = await cli('migrate', 'up');
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, /applied 0003_one_time_tokens/);
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from information_schema.routines
      where routine_schema = 'graphile_worker' and routine_name = 'add_job'`,
  );
  t.ok((rows[0]?.n ?? 0) > 0, 'graphile_worker.add_job exists');
  const again = await cli('migrate', 'up');
  t.equal(again.code, 0);
  t.equal(again.stdout, 'already up to date\n');
});

t.test('jobs status and jobs retry <id>', async (t) => {
  const empty = await cli('jobs', 'status');
  t.equal(empty.code, 0, empty.stderr);
  t.equal(empty.stdout, 'queued\t0\nretrying\t0\nrunning\t0\nfailed\t0\n');

  await db.query(
    `select graphile_worker.add_job('send_mail', '{"to":"a@b.c"}'::json, max_attempts := 10)`,
  );
  const { rows } = await db.query<{ id: string }>(
    `update graphile_worker._private_jobs
        set attempts = max_attempts, last_error = E'Error: connect ECONNREFUSED 127.0.0.1:25\\n    at stack'
      returning id`,
  );
  const id = rows[0]?.id ?? '';
  await db.query(`select graphile_worker.add_job('send_mail', '{}'::json)`);

  const status = await cli('jobs', 'status');
  t.equal(status.code, 0);
  t.match(status.stdout, /^queued\t1$/m);
  t.match(status.stdout, /^failed\t1$/m);
  t.match(status.stdout, /^id\ttask\tattempts\tfailed at\tlast error$/m);
  t.match(
    status.stdout,
    new RegExp(
      `^${id}\\tsend_mail\\t10/10\\t\\S+Z\\tError: connect ECONNREFUSED 127\\.0\\.0\\.1:25 at stack$`,
      'm',
    ),
  );
  t.notMatch(status.stdout, /a@b\.c/, 'payloads are never printed');

  const retry = await cli('jobs', 'retry', id);
  t.equal(retry.code, 0, retry.stderr);
  t.equal(retry.stdout, `job ${id} queued for retry\n`);
  const after = await cli('jobs', 'status');
  t.match(after.stdout, /^queued\t2$/m);
  t.match(after.stdout, /^failed\t0$/m);

  const unknown = await cli('jobs', 'retry', '987654321');
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /^latchkey: no job 987654321[^\n]*\n$/);
  for (const args of [
    ['jobs'],
    ['jobs', 'retry'],
    ['jobs', 'retry', 'abc'],
    ['jobs', 'frob'],
    ['jobs', 'status', 'x'],
  ]) {
    const bad = await cli(...args);
    t.equal(bad.code, 2, args.join(' '));
    t.match(bad.stderr, /^latchkey: [^\n]*usage: latchkey jobs[^\n]*\n$/);
  }
  const badWorker = await cli('worker', '--concurrency', '0');
  t.equal(badWorker.code, 2);
  t.match(badWorker.stderr, /concurrency/);
});
