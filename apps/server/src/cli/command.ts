import type { Database } from '@latchkey/adapters-postgres';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Config } from '../config/index.js';

/** What a command gets to work with; everything is created on first use. */
export interface CliContext {
  /** The validated configuration. @throws ConfigError */
  config(): Config;
  /**
   * Runs `fn` with a database (embedded PostgreSQL when `DATABASE_URL` is unset), closed afterwards;
   * `pool` is the pg pool under `db` (graphile-worker takes a pool).
   */
  withDatabase<T>(fn: (db: Kysely<Database>, pool: pg.Pool) => Promise<T>): Promise<T>;
  /** Writes one line of the command's result to stdout. */
  print(line: string): void;
}

/** One top-level command, e.g. `migrate`; it parses its own arguments (node:util parseArgs). */
export interface CliCommand {
  name: string;
  /** e.g. `migrate up|down|status` */
  usage: string;
  summary: string;
  /** @throws UsageError for bad arguments (exit 2); any other error exits 1. */
  run(args: string[], ctx: CliContext): Promise<void>;
}

/** Bad command line: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
