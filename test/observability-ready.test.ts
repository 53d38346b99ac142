// /ready against a PostgreSQL of this test's own (never the shared one): stopped, then hung
// (every process of the cluster SIGSTOPped), then back.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { readinessProbe } from '@latchkey/adapters-http';
import { createKysely, createPool, migrateToLatest } from '@latchkey/adapters-postgres';
import {
  composeServer,
  loadConfig,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '@latchkey/server';

const quiet = { debug: () => {}, info: () => {}, warn: () => {} };

t.test('each check has its own deadline', async (t) => {
  const probe = readinessProbe(
    {
      database: () => new Promise(() => {}),
      redis: async () => 'up',
      broken: async () => {
        throw new Error('boom');
      },
    },
    100,
  );
  const started = Date.now();
  t.same(await probe(), { database: 'down', redis: 'up', broken: 'down' });
  t.ok(Date.now() - started < 1000, 'a hung check does not hold the answer');
});

t.test('/ready: 503 while the database is down or hung, 200 again after', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'latchkey-ready-'));
  // When run as root, PostgreSQL runs as its own OS user and must reach <dir>/postgres.
  await chmod(dir, 0o755);
  let db: EmbeddedPostgres = await startEmbeddedPostgres(dir, quiet, { port: 0, throwaway: true });
  const paused: number[] = [];
  t.teardown(async () => {
    for (const pid of paused) signal(pid, 'SIGCONT');
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const migrator = createKysely(
    createPool({ connectionString: db.url, max: 1, statementTimeoutMs: 0 }),
  );
  await migrateToLatest(migrator);
  await migrator.destroy();

  const config = loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: db.url,
    DATA_DIR: dir,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    WORKER_ENABLED: 'false',
    DB_CONNECT_TIMEOUT_MS: '1000',
  });
  const server = await composeServer({
    config,
    databaseUrl: db.url,
    kek: Buffer.from(config.keyEncryptionKey ?? '', 'base64'),
  });
  t.teardown(() => server.close());
  const { app } = server;

  const ready = async () => {
    const started = performance.now();
    const res = await app.inject({ method: 'GET', url: '/ready' });
    return { res, ms: performance.now() - started };
  };
  const until = async (status: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { res } = await ready();
      if (res.statusCode === status || Date.now() > deadline) return res;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const up = await ready();
  t.equal(up.res.statusCode, 200);
  t.same(up.res.json(), { status: 'ready', checks: { database: 'up', redis: 'disabled' } });
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);

  // Stopped: connections are refused.
  await db.stop();
  const down = await ready();
  t.equal(down.res.statusCode, 503);
  t.same(down.res.json(), { status: 'unready', checks: { database: 'down', redis: 'disabled' } });
  t.match(down.res.headers['content-type'], /^application\/json/, 'its own shape, not a problem');
  t.ok(down.ms < 2000, `answered in ${down.ms.toFixed(0)} ms`);
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'still alive');

  // Started again on the same port: ready again.
  db = await startEmbeddedPostgres(dir, quiet, { port: 0, throwaway: true });
  t.equal((await until(200, 10_000)).statusCode, 200, 'ready again after a restart');

  // Hung: every process of the cluster stopped, so connections and queries never answer.
  const postmaster = Number(
    (await readFile(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
  );
  for (const pid of [postmaster, ...(await childrenOf(postmaster))]) {
    if (signal(pid, 'SIGSTOP')) paused.push(pid);
  }
  const hung = await ready();
  t.equal(hung.res.statusCode, 503, 'a hung database is not ready');
  t.ok(hung.ms < 2000, `answered in ${hung.ms.toFixed(0)} ms, not hung`);
  const again = await ready();
  t.equal(again.res.statusCode, 503);
  t.ok(again.ms < 2000, `again in ${again.ms.toFixed(0)} ms`);

  for (const pid of paused.splice(0)) signal(pid, 'SIGCONT');
  t.equal((await until(200, 10_000)).statusCode, 200, 'ready again once it answers');
});

/** The pids whose parent is `pid` (the postmaster's backends and workers). */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
