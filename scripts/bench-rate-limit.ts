// The cost of the per-IP rate limits on GET /api/v1/users/me: the same server (a child process,
// real composition, fresh database) with the limits off, in-process, and in Redis, measured with
// autocannon in alternating rounds (medians are reported). Limits are set so high that nothing
// is refused: this measures the check, not the refusal. Besides throughput and latency it reports
// the server's CPU time per request, which other load on the machine disturbs much less.
// Then the median login time of the three failure paths, interleaved.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
//     node --conditions=@latchkey/source --import tsx scripts/bench-rate-limit.ts
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=50 BENCH_ROUNDS=3 …
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { limiterOverhead } from './bench/limiter-overhead.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PORT = 3960 + Math.floor(Math.random() * 30);
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = 'correct horse battery staple';
const MODES = ['off', 'in-process', 'redis'] as const;
type Mode = (typeof MODES)[number];

const dbName = `lk_bench_rl_${Date.now()}`;
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${dbName}`);

const baseEnv = {
  ...process.env,
  APP_ENV: 'development',
  DATABASE_URL: dbUrl,
  PORT: String(PORT),
  LOG_LEVEL: 'warn',
  DATA_DIR: path.join(tmpdir(), dbName),
  KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  RATE_LIMIT_MAX: '1000000000',
  RATE_LIMIT_AUTH_MAX: '1000000000',
  LOCKOUT_THRESHOLD: '1000000000',
  WORKER_ENABLED: 'false',
};

let child: ChildProcess | undefined;
const stop = async (): Promise<void> => {
  const proc = child;
  child = undefined;
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
};
const start = async (mode: Mode): Promise<void> => {
  await stop();
  const env: NodeJS.ProcessEnv = { ...baseEnv, BENCH_RATE_LIMIT: mode === 'off' ? 'off' : 'on' };
  if (mode === 'redis') env.REDIS_URL = REDIS_URL;
  else delete env.REDIS_URL;
  const proc = fork(path.join(root, 'scripts/bench/rate-limit-server.ts'), [], {
    execArgv: ['--conditions=@latchkey/source', '--import', 'tsx'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child = proc;
  await new Promise((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
};
/** The server's CPU time so far, in microseconds. */
const serverCpu = (): Promise<number> =>
  new Promise((resolve) => {
    child?.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve(m.cpu.user + m.cpu.system));
    child?.send('cpu');
  });

const post = (url: string, body: unknown) =>
  fetch(`${BASE}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const run = (opts: autocannon.Options): Promise<autocannon.Result> =>
  new Promise((resolve, reject) => {
    autocannon(
      { duration: SECONDS, connections: CONNECTIONS, ...opts },
      (err: Error | null, result) => (err ? reject(err) : resolve(result)),
    );
  });
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
}

try {
  const email = `bench.${Date.now()}@example.com`;
  const samples: Record<Mode, Sample[]> = { off: [], 'in-process': [], redis: [] };
  console.log(
    `# GET /api/v1/users/me, ${SECONDS}s per run, ${CONNECTIONS} connections, ${ROUNDS} rounds, ` +
      `${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      await start(mode);
      if (round === 0 && mode === 'off')
        await post('/api/v1/register', { email, password: PASSWORD });
      const signIn = await post('/api/v1/login', { email, password: PASSWORD });
      if (signIn.status !== 200)
        throw new Error(`${mode}: login ${signIn.status} ${await signIn.text()}`);
      const { accessToken } = (await signIn.json()) as { accessToken: string };
      const opts = {
        url: `${BASE}/api/v1/users/me`,
        headers: { authorization: `Bearer ${accessToken}` },
      };
      await run({ ...opts, duration: 2 }); // warm-up (JIT, pools, caches)
      const cpuBefore = await serverCpu();
      const r = await run(opts);
      const cpu = (await serverCpu()) - cpuBefore;
      // Anything but 200: a 429 means limits too low, a 503 a shed load or an exhausted pool.
      const other = Object.entries(r.statusCodeStats ?? {})
        .filter(([code]) => code !== '200')
        .map(([code, stats]) => `${code}×${stats.count ?? 0}`)
        .join(' ');
      const sample = {
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        cpuUsPerRequest: cpu / r.requests.total,
      };
      samples[mode].push(sample);
      console.log(
        `  round ${round + 1} ${mode.padEnd(10)} ${sample.rps.toFixed(0).padStart(6)} req/s  ` +
          `p50 ${sample.p50} ms  p99 ${sample.p99} ms  cpu ${sample.cpuUsPerRequest.toFixed(0)} µs/req${other ? `  other: ${other}` : ''}`,
      );
    }
  }

  const of = (mode: Mode, pick: (s: Sample) => number) => median(samples[mode].map(pick));
  const pct = (value: number, base: number) =>
    `${value >= base ? '+' : ''}${(((value - base) / base) * 100).toFixed(1)} %`;
  console.log('\nmedians     req/s  vs off     p50 ms  p99 ms  cpu µs/req  vs off');
  for (const mode of MODES) {
    const rps = of(mode, (s) => s.rps);
    const cpu = of(mode, (s) => s.cpuUsPerRequest);
    const vsOff = (value: number, base: number) => (mode === 'off' ? '-' : pct(value, base));
    console.log(
      `${mode.padEnd(10)} ${rps.toFixed(0).padStart(6)}  ${vsOff(
        rps,
        of('off', (s) => s.rps),
      ).padStart(8)}  ` +
        `${of(mode, (s) => s.p50)
          .toFixed(1)
          .padStart(6)}  ${of(mode, (s) => s.p99)
          .toFixed(1)
          .padStart(6)}  ` +
        `${cpu.toFixed(0).padStart(10)}  ${vsOff(
          cpu,
          of('off', (s) => s.cpuUsPerRequest),
        ).padStart(8)}`,
    );
  }

  // The limiter alone, in this process (no database, no network between client and server).
  const alone = await limiterOverhead(REDIS_URL);
  console.log(
    `\nlimiter alone (bare route, app.inject, CPU µs/req): none ${alone.none.toFixed(1)}, ` +
      `in-process ${alone['in-process'].toFixed(1)} (+${(alone['in-process'] - alone.none).toFixed(1)}), ` +
      `redis ${alone.redis.toFixed(1)} (+${(alone.redis - alone.none).toFixed(1)}, client side)`,
  );

  // Login timing of the three failure paths, interleaved so that drift hits all three alike.
  await start('in-process');
  const paths = {
    'unknown email': { email: `nobody.${Date.now()}@example.com`, password: PASSWORD },
    'wrong password': { email, password: 'wrong password entirely' },
    'empty password': { email, password: '' },
  };
  const times: Record<string, number[]> = {};
  for (let i = 0; i < 41; i++) {
    for (const [name, body] of Object.entries(paths)) {
      const started = performance.now();
      const res = await post('/api/v1/login', body);
      if (res.status !== 401) throw new Error(`login (${name}) answered ${res.status}`);
      if (i > 0) (times[name] ??= []).push(performance.now() - started); // the first: warm-up
    }
  }
  const medians = Object.fromEntries(Object.entries(times).map(([name, xs]) => [name, median(xs)]));
  const values = Object.values(medians);
  const spread = (Math.max(...values) / Math.min(...values) - 1) * 100;
  console.log(
    `\nlogin median: ${Object.entries(medians)
      .map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`)
      .join(', ')} (spread ${spread.toFixed(1)} %, target <= 15 %)`,
  );
} finally {
  await stop();
  await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
  await admin.end();
}
