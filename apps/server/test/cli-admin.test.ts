import { sql } from 'kysely';
import t from 'tap';
import { spawnCli } from '../../../test/helpers/cli-process.js';
import { bearer, openDatabase, within } from '../../../test/support/admin-fixtures.js';
import { signUp, startTestServer, uniqueEmail } from '../../../test/support/test-server.js';
import { runCli } from '../src/cli/run-cli.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The CLI and a server on one database: a CLI change must reach the server within 1 s.
const ts = await startTestServer();
const db = openDatabase(ts.databaseUrl);
t.teardown(async () => {
  await db.destroy();
  await ts.close();
});
const env = {
  APP_ENV: 'test',
  DATABASE_URL: ts.databaseUrl,
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
};

/** The binary, as `pnpm cli` runs it, with `input` on stdin. */
const run = (args: string[], input?: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (input === undefined) child.stdin.end();
    else child.stdin.end(input);
  });

/** In process: the same code minus start-up. */
const here = async (args: string[]): Promise<Run> => {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    stdout: (line) => (stdout += `${line}\n`),
    stderr: (line) => (stderr += `${line}\n`),
  });
  return { code, stdout, stderr };
};

const FIRST_ADMIN = 'first.admin@example.com';
let adminId = '';

t.test('users create: the first admin, password from stdin', async (t) => {
  const res = await run(
    [
      'users',
      'create',
      '--email',
      FIRST_ADMIN,
      '--role',
      'admin',
      '--verified',
      '--password-stdin',
    ],
    'a strong admin password\n',
  );
  t.equal(res.code, 0, res.stderr);
  const [id, email, status, roles] = res.stdout.trim().split('\t');
  t.equal(email, FIRST_ADMIN);
  t.equal(status, 'active');
  t.equal(roles, 'admin');
  adminId = id ?? '';
  const login = await ts.app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: FIRST_ADMIN, password: 'a strong admin password' },
  });
  t.equal(login.statusCode, 200, 'the trailing newline is not part of the password');
  const audit = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('target_id', '=', adminId)
    .execute();
  t.match(audit, [{ type: 'admin.user_created', actor_id: null, user_agent: 'latchkey-cli' }]);

  const again = await run(
    ['users', 'create', '--email', FIRST_ADMIN.toUpperCase(), '--password-stdin'],
    'a strong admin password',
  );
  t.equal(again.code, 1);
  t.match(again.stderr, /^latchkey: email_taken/);
  const noPrompt = await run(['users', 'create', '--email', 'x@example.com']);
  t.equal(noPrompt.code, 1, 'no terminal to prompt on');
  t.match(noPrompt.stderr, /--password-stdin/);
  const weak = await run(
    ['users', 'create', '--email', 'weak@example.com', '--password-stdin'],
    'password',
  );
  t.equal(weak.code, 1);
  t.match(weak.stderr, /validation_failed/);
  const role = await run(
    ['users', 'create', '--email', 'role@example.com', '--role', 'wizard', '--password-stdin'],
    'a strong admin password',
  );
  t.match(role.stderr, /unknown role: wizard/);
  t.equal((await here(['users', 'create', '--password-stdin'])).code, 2, '--email is required');
});

t.test('the last admin cannot be suspended or deleted from the CLI either', async (t) => {
  for (const action of ['suspend', 'delete']) {
    const res = await here(['users', action, FIRST_ADMIN]);
    t.equal(res.code, 1, action);
    t.match(res.stderr, /^latchkey: last_admin/);
    t.equal(res.stderr.split('\n').length, 2, 'one line');
  }
});

t.test('users suspend|unsuspend|delete|restore reach a running server within 1 s', async (t) => {
  const user = await signUp(ts.app, uniqueEmail('cli'));
  const works = async () =>
    (
      await ts.app.inject({
        method: 'GET',
        url: '/api/v1/users/me',
        headers: bearer(user.accessToken),
      })
    ).statusCode === 200;
  t.ok(await works());
  const suspended = await here(['users', 'suspend', user.email]);
  t.equal(suspended.code, 0, suspended.stderr);
  t.match(suspended.stdout, /\tsuspended\t/);
  t.not(await within(1000, async () => !(await works())), null, 'the token fails within 1 s');
  const unsuspended = await here(['users', 'unsuspend', user.userId]);
  t.match(unsuspended.stdout, /\tunverified\t/, 'an unverified account goes back to unverified');
  const deleted = await here(['users', 'delete', user.email]);
  t.equal(deleted.code, 0, deleted.stderr);
  t.notMatch(deleted.stdout, /\t-\n$/, 'deletedAt is printed');
  t.equal((await here(['users', 'delete', user.email])).code, 1, 'already deleted');
  const restored = await here(['users', 'restore', user.email]);
  t.match(restored.stdout, /\t-\n$/);
  const types = (
    await db
      .selectFrom('audit_events')
      .select('type')
      .where('target_id', '=', user.userId)
      .orderBy('created_at')
      .execute()
  ).map((r) => r.type);
  t.same(
    types.filter((type) => type.startsWith('admin.')),
    ['admin.user_suspended', 'admin.user_unsuspended', 'admin.user_deleted', 'admin.user_restored'],
  );

  const unknown = await here(['users', 'suspend', 'nobody@example.com']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /no user "nobody@example.com"/);
  t.equal((await here(['users', 'frobnicate'])).code, 2);
  t.equal((await here(['users', 'suspend'])).code, 2);
});

t.test('users list: filters and limits', async (t) => {
  const all = await here(['users', 'list']);
  t.equal(all.code, 0, all.stderr);
  const lines = all.stdout.trim().split('\n');
  t.ok(lines.some((line) => line.startsWith(`${adminId}\t${FIRST_ADMIN}\tactive\tadmin\t`)));
  t.equal((await here(['users', 'list', '--limit', '1'])).stdout.trim().split('\n').length, 1);
  const admins = await here(['users', 'list', '--role', 'admin']);
  t.same(
    admins.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t')[1]),
    [FIRST_ADMIN],
  );
  t.equal((await here(['users', 'list', '--status', 'gone'])).code, 2);
  t.equal((await here(['users', 'list', '--limit', '0'])).code, 2);
  t.equal((await here(['users', 'list', '--role', 'wizard'])).code, 1);
  t.equal((await here(['users', 'list', '--deleted'])).stdout, '');
});

t.test('seed: idempotent catalogue; --dev sample accounts and bulk users', async (t) => {
  await sql`delete from role_permissions where role_name = 'admin' and permission_name = 'audit:read'`.execute(
    db,
  );
  const repaired = await here(['seed']);
  t.equal(repaired.code, 0, repaired.stderr);
  t.match(repaired.stdout, /roles: 0 added; permissions: 0 added; grants: 1 added/);
  t.match((await here(['seed'])).stdout, /grants: 0 added/);
  t.equal((await here(['seed', '--users', '5'])).code, 2, '--users needs --dev');
  t.equal((await here(['seed', '--dev', '--users', 'many'])).code, 2);

  const dev = await here(['seed', '--dev', '--users', '300']);
  t.equal(dev.code, 0, dev.stderr);
  t.match(dev.stdout, /admin@example\.com: created \(admin\)/);
  t.match(dev.stdout, /synthetic users: 300 added \(0 existed\)/);
  const again = await here(['seed', '--dev', '--users', '310']);
  t.match(again.stdout, /admin@example\.com: exists/);
  t.match(again.stdout, /synthetic users: 10 added \(300 existed\)/);
  const counts = await sql<{ status: string; n: number }>`
    select status, count(*)::int as n from users where email like 'dev-user-%' group by status order by status`.execute(
    db,
  );
  t.same(counts.rows, [
    { status: 'active', n: 253 },
    { status: 'suspended', n: 15 },
    { status: 'unverified', n: 42 },
  ]);
  const ids = await sql<{ ok: boolean }>`
    select bool_and(id::text ~ '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]') as ok from users where email like 'dev-user-%'`.execute(
    db,
  );
  t.equal(ids.rows[0]?.ok, true, 'UUIDv7 ids');
  const login = await ts.app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: 'dev-user-0000001@example.com', password: 'latchkey-dev-password' },
  });
  t.equal(login.statusCode, 200, 'synthetic users can sign in with the development password');
});
