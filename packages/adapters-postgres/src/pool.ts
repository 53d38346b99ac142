import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';

/** Options of `createPool`; durations in milliseconds. */
export interface PoolOptions {
  connectionString: string;
  /** Most connections open at once (default 25). */
  max?: number;
  /** How long a query waits for a free connection before failing (default 5000). */
  connectTimeoutMs?: number;
  /** PostgreSQL `statement_timeout` for every connection; 0 disables it (default 10000). */
  statementTimeoutMs?: number;
  /** Shown in `pg_stat_activity` (default `latchkey`). */
  applicationName?: string;
  /** Called when an idle connection fails (e.g. the server restarted); the pool drops it. */
  onIdleError?: (err: Error) => void;
  /**
   * Run the statements marked with `prepared()` as named statements, parsed and planned once per
   * connection (default true). Off for a pooler that cannot keep them (PgBouncer in transaction
   * mode before 1.21, or without `max_prepared_statements`).
   */
  preparedStatements?: boolean;
}

/** Statement names by SQL text, of every query marked with `prepared()` in this process. */
const statementNames = new Map<string, string>();

/**
 * Marks a compiled query as a hot statement: on pools with `preparedStatements` each connection
 * parses and plans it once, then only binds and executes it (for GET /users/me's user read this
 * cuts PostgreSQL's work by two thirds). Only for statements with a fixed text and an explicit
 * column list: a cached plan of `select *` fails once a migration adds a column.
 * @returns `query`, unchanged.
 */
export const prepared = <R>(query: CompiledQuery<R>): CompiledQuery<R> => {
  if (!statementNames.has(query.sql)) {
    const digest = createHash('sha256').update(query.sql).digest('hex');
    statementNames.set(query.sql, `lk_${digest.slice(0, 24)}`);
  }
  return query;
};

/** A pg client that sends `prepared()` statements by name; every other query as before. */
class PreparingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const plain = super.query.bind(this) as (...args: unknown[]) => unknown;
    // Kysely calls query(text, values); every other form goes through untouched.
    this.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const name = typeof text === 'string' ? statementNames.get(text) : undefined;
      return name !== undefined && Array.isArray(values) && args.length === 2
        ? plain({ name, text, values })
        : plain(...args);
    }) as pg.Client['query'];
  }
}

/**
 * A pg pool sized for one process. pg cannot keep "N idle": instead idle connections close after
 * 10 s and each one is replaced after 300 s, so the pool shrinks back after a burst and
 * follows failovers. Idle-connection errors never crash the process.
 */
export function createPool(opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 25,
    idleTimeoutMillis: 10_000,
    maxLifetimeSeconds: 300,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    statement_timeout: opts.statementTimeoutMs ?? 10_000,
    application_name: opts.applicationName ?? 'latchkey',
    ...(opts.preparedStatements === false ? {} : { Client: PreparingClient }),
  });
  // Without a listener, an idle client's error (server restart, network drop) kills the process.
  pool.on('error', (err) => opts.onIdleError?.(err));
  return pool;
}

/** A Kysely instance over the pool; `db.destroy()` ends the pool. */
export function createKysely<DB>(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Whether the database answers `select 1` within `timeoutMs`.
 * @returns false on any error, and within `timeoutMs` when the database hangs.
 */
export async function pingDatabase<DB>(db: Kysely<DB>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect', // pg-pool: no connection free within connectionTimeoutMillis
  'connection terminated',
  'connection timeout',
  'client has encountered a connection error',
  'the database system is starting up',
  'the database system is shutting down',
];

/**
 * Whether `err` means PostgreSQL cannot be reached right now (refused, reset, shut down, or the
 * pool had no connection in time), as opposed to a bad query. Follows `cause` and AggregateError.
 */
export function isDatabaseUnavailableError(err: unknown, depth = 0): boolean {
  if (depth > 5 || err === null || typeof err !== 'object') return false;
  const { code, message, cause, errors } = err as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    // SQLSTATE class 08: connection exception
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === 'string') {
    const lowered = message.toLowerCase();
    if (UNAVAILABLE_MESSAGES.some((m) => lowered.includes(m))) return true;
  }
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailableError(e, depth + 1)))
    return true;
  return isDatabaseUnavailableError(cause, depth + 1);
}
