import t, { type Test } from 'tap';
import { spawnCli } from '../../../test/helpers/cli-process.js';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { runCli } from '../src/cli/run-cli.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `pnpm cli` does, with only the given environment (plus PATH). */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, { APP_ENV: 'test', ...env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const oneLine = (t: Test, text: string) =>
  t.match(text, /^[^\n]+\n$/, 'exactly one line on stderr');

const database = await createTestDatabase({ migrate: false });
t.teardown(() => database.drop());
const env = { DATABASE_URL: database.url };

/** In-process: the same code path minus process start-up, for the many argument cases. */
async function runHere(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { APP_ENV: 'test', ...env },
    stdout: (line) => (stdout += `${line}\n`),
    stderr: (line) => (stderr += `${line}\n`),
  });
  return { code, stdout, stderr };
}

t.test('the binary: exit 0 on success, 2 on a bad command, 1 on a failure', async (t) => {
  const pending = await run(['migrate', 'status'], env);
  t.equal(pending.code, 0, pending.stderr);
  t.match(pending.stdout, /^0001_users\tpending$/m);

  const unknown = await run(['frobnicate'], env);
  t.equal(unknown.code, 2);
  oneLine(t, unknown.stderr);
  t.match(
    unknown.stderr,
    /^latchkey: unknown command "frobnicate"; usage: latchkey .*migrate up\|down\|status/,
  );

  const badPort = await run(['migrate', 'status'], { ...env, PORT: 'abc' });
  t.equal(badPort.code, 1);
  t.equal(badPort.stderr, 'latchkey: PORT: must be an integer between 1 and 65535 (got "abc")\n');
});

t.test('migrate up, status, down', async (t) => {
  const up = await runHere(['migrate', 'up'], env);
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, /^applied 0001_users$/m);
  t.equal((await runHere(['migrate', 'up'], env)).stdout, 'already up to date\n');

  const status = await runHere(['migrate', 'status'], env);
  t.match(status.stdout, /^0001_users\tapplied \d{4}-\d\d-\d\dT/m);

  const down = await runHere(['migrate', 'down'], env);
  t.equal(down.code, 0, down.stderr);
  t.match(down.stdout, /^reverted \d{4}_\w+\n$/);
});

t.test('bad command lines exit 2 with a usage line', async (t) => {
  for (const args of [
    [],
    ['migrate'],
    ['migrate', 'sideways'],
    ['migrate', 'up', 'now'],
    ['migrate', 'up', '--force'],
  ]) {
    const result = await runHere(args, env);
    t.equal(result.code, 2, args.join(' '));
    oneLine(t, result.stderr);
    t.match(result.stderr, /usage: latchkey .*migrate up\|down\|status/);
  }
  const help = await runHere(['--help'], env);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: latchkey /);
});

t.test('failures exit 1 with one line naming the problem', async (t) => {
  const config = await runHere(['migrate', 'status'], { ...env, APP_ENV: 'production' });
  t.equal(config.code, 1);
  oneLine(t, config.stderr);
  t.match(
    config.stderr,
    /^latchkey: KEY_ENCRYPTION_KEY: must be set in production .*; SMTP_URL: must be set in production .*; PUBLIC_URL: must be an https URL/,
  );

  const down = await runHere(['migrate', 'status'], {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  });
  t.equal(down.code, 1);
  oneLine(t, down.stderr);
  t.match(down.stderr, /^latchkey: database unavailable: .*ECONNREFUSED/);
});
