import { runMigrations, Logger } from 'graphile-worker';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from './database.js';

/** A job that used up its attempts. */
export interface FailedJob {
  readonly id: string;
  readonly task: string;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly lastError: string | null;
  readonly updatedAt: Date;
}

/** Counts of the job queue, and the permanently failed jobs. */
export interface JobQueueStatus {
  /** Waiting for their first run (some may be scheduled later). */
  readonly queued: number;
  /** Failed at least once, waiting for a retry. */
  readonly retrying: number;
  /** Locked by a worker right now. */
  readonly running: number;
  /** Used up their attempts: kept until retried (`jobs retry <id>`) or deleted. */
  readonly failed: number;
  /** The most recent permanently failed jobs (at most `limit`), newest first. */
  readonly failedJobs: readonly FailedJob[];
}

const silent = new Logger(() => () => {});

/**
 * Installs or upgrades graphile-worker's own schema (`graphile_worker`); idempotent and safe
 * to run from several processes at once.
 */
export async function installJobQueueSchema(pool: pg.Pool): Promise<void> {
  // graphile-worker warns about a pool without a `connect` listener (checked-out clients need an
  // `error` handler); the pool's owner handles idle errors, this covers the migration's clients.
  const onConnect = (client: pg.PoolClient) => client.on('error', () => undefined);
  pool.on('connect', onConnect);
  try {
    await runMigrations({ pgPool: pool, logger: silent });
  } finally {
    pool.off('connect', onConnect);
  }
}

/** Reads the state of the job queue (graphile-worker's `jobs` view). */
export async function jobQueueStatus(db: Kysely<Database>, limit = 50): Promise<JobQueueStatus> {
  const counts = await sql<{ queued: string; retrying: string; running: string; failed: string }>`
    select
      count(*) filter (where locked_at is null and attempts = 0 and attempts < max_attempts) as queued,
      count(*) filter (where locked_at is null and attempts > 0 and attempts < max_attempts) as retrying,
      count(*) filter (where locked_at is not null) as running,
      count(*) filter (where locked_at is null and attempts >= max_attempts) as failed
    from graphile_worker.jobs`.execute(db);
  const failedRows = await sql<{
    id: string;
    task_identifier: string;
    attempts: number;
    max_attempts: number;
    last_error: string | null;
    updated_at: Date;
  }>`
    select id, task_identifier, attempts, max_attempts, last_error, updated_at
      from graphile_worker.jobs
     where locked_at is null and attempts >= max_attempts
     order by updated_at desc, id desc
     limit ${limit}`.execute(db);
  const row = counts.rows[0];
  return {
    queued: Number(row?.queued ?? 0),
    retrying: Number(row?.retrying ?? 0),
    running: Number(row?.running ?? 0),
    failed: Number(row?.failed ?? 0),
    failedJobs: failedRows.rows.map((r) => ({
      id: String(r.id),
      task: r.task_identifier,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      lastError: r.last_error,
      updatedAt: r.updated_at,
    })),
  };
}

/**
 * Puts a job back in the queue now with its attempts reset (a permanently failed one included).
 * @returns false when there is no such job, or a worker holds it right now.
 */
export async function retryJob(db: Kysely<Database>, id: string): Promise<boolean> {
  if (!/^[0-9]{1,18}$/.test(id)) return false;
  const result = await sql<{ id: string }>`
    select id from graphile_worker.reschedule_jobs(
      array[${id}::bigint], run_at := now(), attempts := 0)`.execute(db);
  return result.rows.length > 0;
}
