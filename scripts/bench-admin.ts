// `pnpm bench:admin`: GET /api/v1/admin/users with 1,000,000 users. Loads them once into a
// dedicated database (`latchkey migrate up` + `latchkey seed --dev --users N`, skipped when they
// are there), starts the real server, walks the list to a page 50,000 rows deep (with the opaque
// cursors, as a client would), then measures with autocannon the first page and the deep page,
// with and without a `status` filter, and prints EXPLAIN ANALYZE of each query.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm bench:admin
//   BENCH_USERS=1000000 BENCH_DEPTH=50000 BENCH_SECONDS=10 BENCH_CONNECTIONS=4 BENCH_DB=latchkey_bench_admin
//   BENCH_SORTS=-createdAt,email (the first sort is the one the targets apply to)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const DEPTH = Number(process.env.BENCH_DEPTH ?? 50_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const SORTS = (process.env.BENCH_SORTS ?? '-createdAt,email').split(',');
const TARGET_P99_MS = 30;
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = process.env.BENCH_DB ?? 'latchkey_bench_admin';
const PORT = 4100 + Math.floor(Math.random() * 50);
const BASE = `http://127.0.0.1:${PORT}`;
const DEV_PASSWORD = 'latchkey-dev-password';

if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error('BENCH_DB must be a plain identifier');
const dbUrl = (() => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
})();
const env = {
  ...process.env,
  APP_ENV: 'development',
  DATABASE_URL: dbUrl,
  DATA_DIR: path.join(root, '.data/bench-admin'),
  KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  LOG_LEVEL: 'warn',
  WORKER_ENABLED: 'false',
  RATE_LIMIT_MAX: '100000000',
  RATE_LIMIT_AUTH_MAX: '100000000',
};
const tsx = ['--conditions=@latchkey/source', '--import', 'tsx'];

/** Runs a command to completion. @returns its stdout. */
const exec = (args: string[], extraEnv: Record<string, string> = {}): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...tsx, ...args], {
      cwd: root,
      env: { ...env, ...extraEnv },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.pipe(process.stderr);
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}`)),
    );
  });

const waitFor = async (url: string, timeoutMs = 60_000): Promise<void> => {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
};

// 1. The dedicated database, loaded once.
const admin = new pg.Client({ connectionString: SERVER_URL });
await admin.connect();
const exists = await admin.query('select 1 from pg_database where datname = $1', [DB_NAME]);
if (exists.rowCount === 0) await admin.query(`create database ${DB_NAME}`);
await admin.end();
await exec(['apps/server/src/cli.ts', 'migrate', 'up']);
const bench = new pg.Client({ connectionString: dbUrl });
await bench.connect();
const count = async (text: string): Promise<number> =>
  Number((await bench.query<{ n: string }>(text)).rows[0]?.n ?? 0);
const loaded = await count(`select count(*) as n from users where email like 'dev-user-%'`);
if (loaded < USERS) {
  console.log(`# loading ${USERS} users into ${DB_NAME} (${loaded} there)…`);
  process.stdout.write(
    await exec(['apps/server/src/cli.ts', 'seed', '--dev', '--users', String(USERS)]),
  );
}
const total = await count('select count(*) as n from users where deleted_at is null');
// Each run has a KEY_ENCRYPTION_KEY of its own: signing keys sealed by an earlier run are useless.
await bench.query('delete from signing_keys');
await bench.end();

// 2. The server.
const children: ChildProcess[] = [];
const server = spawn(process.execPath, [...tsx, 'apps/server/src/main.ts'], {
  cwd: root,
  env: { ...env, PORT: String(PORT) },
  stdio: ['ignore', 'inherit', 'inherit'],
});
children.push(server);

try {
  await waitFor(`${BASE}/ready`);
  const login = await fetch(`${BASE}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@example.com', password: DEV_PASSWORD }),
  });
  if (!login.ok) throw new Error(`admin login failed: ${login.status} ${await login.text()}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };

  /** Walks `depth` rows with the largest pages; @returns the cursor of the page after them. */
  const cursorAt = async (query: string, depth: number): Promise<string> => {
    let cursor: string | null = null;
    for (let seen = 0; seen < depth;) {
      const limit = Math.min(100, depth - seen);
      const url: string = `${BASE}/api/v1/admin/users?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await fetch(url, { headers });
      if (!res.ok) throw new Error(`${url}: ${res.status}`);
      const page = (await res.json()) as { items: unknown[]; nextCursor: string | null };
      seen += page.items.length;
      cursor = page.nextCursor;
      if (cursor === null) throw new Error(`the list ended before row ${depth}`);
    }
    return cursor ?? '';
  };

  interface Scenario {
    name: string;
    sort: string;
    status?: string;
    cursor: string | null;
  }
  const scenarios: Scenario[] = [];
  for (const sort of SORTS) {
    for (const status of [undefined, 'active']) {
      const query = `sort=${sort}${status ? `&status=${status}` : ''}`;
      const label = `sort=${sort}${status ? ' status=active' : ''}`;
      scenarios.push({ name: `first page  ${label}`, sort, status, cursor: null });
      scenarios.push({
        name: `row ${DEPTH} ${label}`,
        sort,
        status,
        cursor: await cursorAt(query, DEPTH),
      });
    }
  }

  console.log(
    `# ${total} live users; ${SECONDS} s per run, ${CONNECTIONS} connections, limit 20, ${availableParallelism()} cores`,
  );
  const results: Array<{ scenario: Scenario; result: autocannon.Result }> = [];
  for (const scenario of scenarios) {
    const query = `sort=${scenario.sort}${scenario.status ? `&status=${scenario.status}` : ''}${scenario.cursor ? `&cursor=${scenario.cursor}` : ''}`;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: `${BASE}/api/v1/admin/users?${query}`,
          headers,
          duration: SECONDS,
          connections: CONNECTIONS,
        },
        (err, r) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(r),
      );
    });
    results.push({ scenario, result });
    const r = result;
    const ok = r.non2xx === 0 && r.errors === 0;
    console.log(
      `${scenario.name.padEnd(38)} ${r.requests.average.toFixed(0).padStart(6)} req/s  p50 ${String(r.latency.p50).padStart(4)} ms  p99 ${String(r.latency.p99).padStart(4)} ms  max ${String(r.latency.max).padStart(4)} ms${ok ? '' : `  non-2xx ${r.non2xx} errors ${r.errors}`}`,
    );
  }

  // 3. The plans, from the repository's own query builder.
  const plans = (
    await exec(['apps/server/scripts/explain-admin-list.ts', JSON.stringify(scenarios)])
  )
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; plan: string[] });
  let plansOk = true;
  for (const { name, plan } of plans) {
    const text = plan.join('\n');
    const scans = [
      ...new Set(
        [
          ...text.matchAll(
            /(Index Only Scan|Index Scan(?: Backward)?|Bitmap Index Scan|Seq Scan) (?:using|on) (\S+)/g,
          ),
        ].map((m) => `${m[1]} ${m[2]}`),
      ),
    ];
    const good =
      /Index (Only )?Scan/.test(text) && !/Seq Scan/.test(text) && !/Sort Key/.test(text);
    plansOk &&= good;
    const time = /Execution Time: ([\d.]+) ms/.exec(text)?.[1];
    console.log(
      `EXPLAIN ${name.padEnd(38)} ${good ? 'index scan, no sort' : 'NOT AN INDEX WALK'}  ${time} ms  ${scans.join(', ')}`,
    );
    if (process.env.BENCH_PLANS === '1' || !good)
      console.log(plan.map((l) => `    ${l}`).join('\n'));
  }

  const targeted = results.filter(({ scenario }) => scenario.sort === SORTS[0]);
  const worst = Math.max(...targeted.map(({ result }) => result.latency.p99));
  const clean = results.every(({ result }) => result.non2xx === 0 && result.errors === 0);
  console.log(
    `target: p99 < ${TARGET_P99_MS} ms for first and row-${DEPTH} pages, with and without status (sort=${SORTS[0]}): worst p99 ${worst} ms ${worst < TARGET_P99_MS ? 'PASS' : 'FAIL'}; plans ${plansOk ? 'PASS' : 'FAIL'}; responses ${clean ? 'all 2xx' : 'NOT all 2xx'}`,
  );
  process.exitCode = worst < TARGET_P99_MS && plansOk && clean ? 0 : 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
}
