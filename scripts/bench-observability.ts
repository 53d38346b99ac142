// `pnpm bench:observability`: what request logging and metrics cost on GET /api/v1/users/me.
// Starts the built server (apps/server/dist/main.js) against a fresh database once per setting,
// in alternating rounds, and measures the same authenticated request with autocannon:
//   on        LOG_LEVEL=info, METRICS_ENABLED=true (the default: two log lines and one
//             histogram observation per request, request-scoped log context)
//   logs off  LOG_LEVEL=silent (no request logger at all)
//   metrics off  METRICS_ENABLED=false (no /metrics, no timing hook, no default collectors)
//   both off
// Logs go to /dev/null (the serialisation and the write still happen).
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=50 BENCH_ROUNDS=2 pnpm bench:observability
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = 3800 + Math.floor(Math.random() * 50);
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = 'correct horse battery staple';

const SETTINGS: Record<string, Record<string, string>> = {
  on: { LOG_LEVEL: 'info', METRICS_ENABLED: 'true' },
  'logs off': { LOG_LEVEL: 'silent', METRICS_ENABLED: 'true' },
  'metrics off': { LOG_LEVEL: 'info', METRICS_ENABLED: 'false' },
  'both off': { LOG_LEVEL: 'silent', METRICS_ENABLED: 'false' },
};

const dbName = `lk_bench_obs_${Date.now()}`;
const dbUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
})();
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${dbName}`);

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

const startServer = async (env: Record<string, string>): Promise<ChildProcess> => {
  const child = spawn(process.execPath, [path.join(root, 'apps/server/dist/main.js')], {
    env: {
      ...process.env,
      APP_ENV: 'development',
      DATABASE_URL: dbUrl,
      PORT: String(PORT),
      DATA_DIR: path.join(root, '.data/bench'),
      RATE_LIMIT_MAX: '100000000',
      RATE_LIMIT_AUTH_MAX: '100000000',
      WORKER_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(`${BASE}/health`);
  return child;
};

const stopServer = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

const measure = (accessToken: string): Promise<autocannon.Result> =>
  new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${BASE}/api/v1/users/me`,
        headers: { authorization: `Bearer ${accessToken}` },
        duration: SECONDS,
        connections: CONNECTIONS,
      },
      (err: Error | null, result) => (err ? reject(err) : resolve(result)),
    );
  });

/** CPU time (user + system) of a process so far, in ms, from /proc (Linux). */
const cpuMs = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

interface Run {
  readonly rps: number;
  /** Server CPU per request, µs: steadier than req/s on a shared, busy machine. */
  readonly cpuUs: number;
}

const results = new Map<string, Run[]>();
let current: ChildProcess | undefined;
try {
  // One user for every run (the database outlives the servers).
  current = await startServer(SETTINGS.on ?? {});
  const email = `bench.obs.${Date.now()}@example.com`;
  const post = (url: string, body: unknown) =>
    fetch(`${BASE}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post('/api/v1/register', { email, password: PASSWORD });
  await stopServer(current);
  current = undefined;

  console.log(
    `# GET /api/v1/users/me, ${SECONDS}s per run, ${CONNECTIONS} connections, ${ROUNDS} rounds, ${availableParallelism()} cores`,
  );
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, env] of Object.entries(SETTINGS)) {
      current = await startServer(env);
      // A fresh token per server: the signing key is the same (database), the session too.
      const login = await post('/api/v1/login', { email, password: PASSWORD });
      const { accessToken } = (await login.json()) as { accessToken: string };
      await measure(accessToken); // warm-up: JIT, pool, caches (not counted)
      const pid = current.pid ?? 0;
      const cpuBefore = cpuMs(pid);
      const result = await measure(accessToken);
      const cpuUs = ((cpuMs(pid) - cpuBefore) * 1000) / Math.max(1, result.requests.total);
      results.set(name, [...(results.get(name) ?? []), { rps: result.requests.average, cpuUs }]);
      console.log(
        `round ${round + 1} ${name.padEnd(12)} ${result.requests.average.toFixed(0).padStart(7)} req/s  ${cpuUs.toFixed(0).padStart(4)} µs CPU/req  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}`,
      );
      await stopServer(current);
      current = undefined;
    }
  }

  /** The median of the rounds (robust to one disturbed run). */
  const median = (name: string, of: (run: Run) => number): number => {
    const values = (results.get(name) ?? []).map(of).sort((a, b) => a - b);
    return values[Math.floor((values.length - 1) / 2)] ?? 0;
  };
  const baseRps = median('both off', (r) => r.rps);
  const baseCpu = median('both off', (r) => r.cpuUs);
  console.log('\n# median of the rounds; cost relative to both off');
  for (const name of Object.keys(SETTINGS)) {
    const rps = median(name, (r) => r.rps);
    const cpu = median(name, (r) => r.cpuUs);
    const cost =
      name === 'both off'
        ? 'baseline'
        : `${(((baseRps - rps) / baseRps) * 100).toFixed(1)} % fewer req/s, ` +
          `+${(cpu - baseCpu).toFixed(0)} µs CPU/req (${(((cpu - baseCpu) / baseCpu) * 100).toFixed(1)} %)`;
    console.log(
      `${name.padEnd(12)} ${rps.toFixed(0).padStart(7)} req/s ${cpu.toFixed(0).padStart(5)} µs CPU/req  ${cost}`,
    );
  }
} finally {
  if (current) await stopServer(current);
  await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
  await admin.end();
}
