// `pnpm bench`: starts the real server against a fresh database and measures register, login,
// refresh and GET /users/me with autocannon, plus two ceilings in the same run: the raw argon2id
// verify rate at the server's parameters (for login) and a bare Fastify route doing the work of
// GET /users/me by hand. Also prints the median login time of the three failure paths.
// Figures are steady state: the hash-bound routes (register, login: ~80 requests/s) get an
// unmeasured warm-up run first, or a 10-second run ends before V8 has optimised their code (its
// compiler threads then take ~1 ms of CPU per login and the request thread runs unoptimised
// code). The fast routes warm up within their first second. Login signs in one account per
// connection, as many users would: eight clients signing in one account at once would also
// measure that account's row lock (a sign-in that meets another one of the same account takes the
// transaction path); BENCH_LOGIN_ACCOUNTS=1 measures that case.
//   pnpm bench                      (DATABASE_URL: a server where it may create a database)
//   BENCH_SECONDS=10 BENCH_WARMUP_SECONDS=10 BENCH_ROUNDS=2 BENCH_CONNECTIONS=50 pnpm bench
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import autocannon from 'autocannon';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
// GET /users/me and its two ceilings alternate in this many rounds (SECONDS in all for each).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
// Hash-bound routes saturate the 4 hashing threads with a few connections; more only queue.
const HASH_CONNECTIONS = Number(process.env.BENCH_HASH_CONNECTIONS ?? 8);
const LOGIN_ACCOUNTS = Number(process.env.BENCH_LOGIN_ACCOUNTS ?? HASH_CONNECTIONS);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = 3900 + Math.floor(Math.random() * 50);
const BARE_PORT = PORT + 50;
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = 'correct horse battery staple';
// The server's default (development/production) argon2id parameters.
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const HASH_WIDTH = Number(process.env.HASH_CONCURRENCY ?? 4);

const dbName = `lk_bench_${Date.now()}`;
const dbUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
})();

const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${dbName}`);

const children: ChildProcess[] = [];
const cleanup = async (): Promise<void> => {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
  await admin.end();
};

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

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${BASE}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

type Result = autocannon.Result;
const run = (opts: autocannon.Options): Promise<Result> =>
  new Promise((resolve, reject) => {
    autocannon({ duration: SECONDS, connections: CONNECTIONS, ...opts }, (err, result) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
    );
  });
/** One route's figures: from one run, or merged from several (see `alternate`). */
interface Figures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}
const figures = (r: Result): Figures => ({
  rps: r.requests.average,
  p50: r.latency.p50,
  p99: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors,
});
/** Mean requests/s; the worst round's latencies; every round's failures. */
const merged = (rounds: readonly Result[]): Figures => ({
  rps: rounds.reduce((sum, r) => sum + r.requests.average, 0) / rounds.length,
  p50: Math.max(...rounds.map((r) => r.latency.p50)),
  p99: Math.max(...rounds.map((r) => r.latency.p99)),
  non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
  errors: rounds.reduce((sum, r) => sum + r.errors, 0),
});
const summary = (name: string, f: Figures): string =>
  `${name.padEnd(22)} ${f.rps.toFixed(0).padStart(7)} req/s  p50 ${String(f.p50).padStart(5)} ms  p99 ${String(f.p99).padStart(5)} ms  non-2xx ${f.non2xx}  errors ${f.errors}`;

try {
  const server = spawn(process.execPath, [path.join(root, 'apps/server/dist/main.js')], {
    env: {
      ...process.env,
      APP_ENV: 'development',
      DATABASE_URL: dbUrl,
      PORT: String(PORT),
      LOG_LEVEL: 'warn',
      DATA_DIR: path.join(root, '.data/bench'),
      RATE_LIMIT_MAX: '100000000',
      RATE_LIMIT_AUTH_MAX: '100000000',
      LOCKOUT_THRESHOLD: '100000000',
      WORKER_ENABLED: 'false',
      HASH_CONCURRENCY: String(HASH_WIDTH),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(server);
  await waitFor(`${BASE}/ready`);
  console.log(
    `# server up on ${BASE}; ${SECONDS}s per run (register and login after a ${WARMUP_SECONDS}s warm-up), ${CONNECTIONS} connections (${HASH_CONNECTIONS} for register and login, ${LOGIN_ACCOUNTS} login accounts), ${availableParallelism()} cores`,
  );

  // A known user for login and /users/me.
  const email = `bench.${Date.now()}@example.com`;
  await post('/api/v1/register', { email, password: PASSWORD });
  const login = await post('/api/v1/login', { email, password: PASSWORD });
  const { accessToken, user } = (await login.json()) as {
    accessToken: string;
    user: { id: string };
  };

  // Ceiling 1: raw argon2id verify rate, same parameters, as many at once as the server hashes
  // (HASH_CONCURRENCY, default 4). Measured right before and right after the login run and
  // averaged: a shared machine's speed drifts over a run.
  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id, ...ARGON2 });
  const argonCeiling = async (): Promise<number> => {
    let verified = 0;
    const until = Date.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: HASH_WIDTH }, async () => {
        while (Date.now() < until) {
          await argon2.verify(hash, PASSWORD);
          verified += 1;
        }
      }),
    );
    return verified / SECONDS;
  };

  // Lets the server finish what a run left in flight (queued hashes) before the next run.
  const drain = () => new Promise((r) => setTimeout(r, 3000));
  // The same run, unmeasured, before the measured one (see the top of this file).
  const warmUp = async (opts: autocannon.Options): Promise<void> => {
    if (WARMUP_SECONDS <= 0) return;
    await run({ ...opts, duration: WARMUP_SECONDS });
    await drain();
  };
  let n = 0;
  const registerOptions: autocannon.Options = {
    connections: HASH_CONNECTIONS,
    url: `${BASE}/api/v1/register`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ email: `r${Date.now()}.${n++}@example.com`, password: PASSWORD }),
        }),
      },
    ],
  };
  await warmUp(registerOptions);
  const register = await run(registerOptions);
  await drain();
  // The login accounts: the known user and LOGIN_ACCOUNTS - 1 more, one per connection in turn.
  const logins = [JSON.stringify({ email, password: PASSWORD })];
  for (let i = 1; i < LOGIN_ACCOUNTS; i += 1) {
    const other = `bench.${Date.now()}.${i}@example.com`;
    await post('/api/v1/register', { email: other, password: PASSWORD });
    logins.push(JSON.stringify({ email: other, password: PASSWORD }));
  }
  let connection = 0;
  const loginOptions: autocannon.Options = {
    connections: HASH_CONNECTIONS,
    url: `${BASE}/api/v1/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: logins[0],
    setupClient: (client) => client.setBody(logins[connection++ % logins.length] ?? ''),
  };
  await warmUp(loginOptions);
  const argonBefore = await argonCeiling();
  const loginRun = await run(loginOptions);
  const argonAfter = await argonCeiling();
  const argonRate = (argonBefore + argonAfter) / 2;

  // Refresh: each connection exchanges its own token chain (a pool of live tokens).
  const pool: string[] = [];
  for (let i = 0; i < CONNECTIONS * 2; i += 1) {
    const res = await post('/api/v1/login', { email, password: PASSWORD });
    const cookie = /refresh_token=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    if (cookie) pool.push(cookie);
  }
  await drain();
  const refreshRun = await run({
    url: `${BASE}/api/v1/refresh`,
    method: 'POST',
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, cookie: `refresh_token=${pool.shift() ?? 'none'}` },
        }),
        onResponse: (_status, _body, _context, headers) => {
          const cookie = /refresh_token=([^;]+)/.exec(String(headers?.['set-cookie'] ?? ''))?.[1];
          if (cookie) pool.push(cookie);
        },
      },
    ],
  });

  // Ceiling 2: the bare route, as its own process, with the same public key and database.
  const header = JSON.parse(
    Buffer.from(accessToken.split('.')[0] ?? '', 'base64url').toString(),
  ) as {
    kid: string;
  };
  const kid = header.kid;
  const jwks = (await (await fetch(`${BASE}/.well-known/jwks.json`)).json()) as {
    keys: { kid: string; x: string }[];
  };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  const { createPublicKey } = await import('node:crypto');
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: jwk?.x ?? '' },
    format: 'jwk',
  })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  // The ceiling sends the read unnamed; the server prepares its hot reads, so the same
  // route with a prepared statement is measured as well, as the stricter reference.
  const startBare = async (port: number, prepared: boolean): Promise<string> => {
    const bare = fork(path.join(root, 'scripts/bench/bare-server.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        PUBLIC_KEY: publicKey,
        PORT: String(port),
        PREPARED: String(prepared),
      },
    });
    children.push(bare);
    await new Promise((r) => bare.once('message', r));
    return `http://127.0.0.1:${port}/me`;
  };
  const bareUrl = await startBare(BARE_PORT, false);
  const preparedBareUrl = await startBare(BARE_PORT + 1, true);
  // GET /users/me and its ceilings take turns, in rounds of SECONDS / ROUNDS each: the machine's
  // drift over the run then weighs on all three alike, not on whichever ran in a slow moment.
  const alternate = async (urls: readonly string[]): Promise<Figures[]> => {
    const rounds: Result[][] = urls.map(() => []);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [i, url] of urls.entries()) {
        rounds[i]?.push(
          await run({
            url,
            duration: SECONDS / ROUNDS,
            headers: { authorization: `Bearer ${accessToken}` },
          }),
        );
      }
    }
    return rounds.map(merged);
  };
  const [me, bareRun, preparedBareRun] = (await alternate([
    `${BASE}/api/v1/users/me`,
    bareUrl,
    preparedBareUrl,
  ])) as [Figures, Figures, Figures];

  // Login timing of the failure paths (sequential, median of 30 each).
  const median = async (body: unknown): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const start = performance.now();
      await post('/api/v1/login', body);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[15] ?? 0;
  };
  const unknown = await median({ email: `nobody.${Date.now()}@example.com`, password: PASSWORD });
  const wrong = await median({ email, password: 'wrong password entirely' });
  const empty = await median({ email, password: '' });

  console.log(summary('POST /register', figures(register)));
  console.log(summary('POST /login', figures(loginRun)));
  console.log(summary('POST /refresh', figures(refreshRun)));
  console.log(summary('GET /users/me', me));
  console.log(summary('bare route (ceiling)', bareRun));
  console.log(summary('bare route, prepared', preparedBareRun));
  console.log(
    `raw argon2id verify      ${argonRate.toFixed(0).padStart(7)} /s (m=${ARGON2.memoryCost} KiB, t=${ARGON2.timeCost}, p=${ARGON2.parallelism}, ${HASH_WIDTH} at once; ${argonBefore.toFixed(0)} before the login run, ${argonAfter.toFixed(0)} after)`,
  );
  console.log(
    `login / argon2 ceiling   ${((loginRun.requests.average / argonRate) * 100).toFixed(1)} %  (target >= 85 %)`,
  );
  console.log(
    `me / bare ceiling        ${((me.rps / bareRun.rps) * 100).toFixed(1)} %  (target >= 80 %)`,
  );
  console.log(
    `me / prepared bare route ${((me.rps / preparedBareRun.rps) * 100).toFixed(1)} %  (the stricter reference, no target)`,
  );
  console.log(
    `me p99 at ${CONNECTIONS} connections  ${me.p99} ms  (target < 25 ms, the worst round)`,
  );
  const spread = (Math.max(unknown, wrong, empty) / Math.min(unknown, wrong, empty) - 1) * 100;
  console.log(
    `login median: unknown email ${unknown.toFixed(1)} ms, wrong password ${wrong.toFixed(1)} ms, empty password ${empty.toFixed(1)} ms (spread ${spread.toFixed(1)} %, target <= 15 %)`,
  );
  console.log(`(user ${user.id})`);
} finally {
  await cleanup();
}
