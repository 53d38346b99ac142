import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import {
  Logger,
  parseCronItems,
  run,
  type JobHelpers,
  type Runner,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker';
import type pg from 'pg';

/** What a job handler learns about the job it runs. */
export interface JobContext {
  readonly jobId: string;
  /** 1 on the first run. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborts when the worker shuts down; the job is then failed and retried later. */
  readonly signal: AbortSignal;
}

/** Runs one job; throwing fails the attempt (retried with exponential backoff). */
export type JobHandler = (payload: unknown, context: JobContext) => Promise<unknown>;

/** A recurring task: a cron pattern (UTC) for a handler of the task list. */
export interface ScheduledTask {
  readonly task: string;
  /** e.g. `17 * * * *`. */
  readonly match: string;
  /** How far back a missed run is made up when a worker starts (default 0: not at all). */
  readonly backfillSeconds?: number;
}

/** Log sink of the worker; pino fits. */
export interface JobWorkerLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface JobWorkerOptions {
  /** A pool of its own (the worker holds one connection for LISTEN, one per running job). */
  readonly pool: pg.Pool;
  readonly tasks: Readonly<Record<string, JobHandler>>;
  readonly schedule?: readonly ScheduledTask[];
  /** Jobs run at once (default 4). */
  readonly concurrency?: number;
  /** Polling for future and retried jobs, ms (new jobs arrive at once via LISTEN; default 1000). */
  readonly pollIntervalMs?: number;
  /** How often this worker announces it is alive and sweeps dead workers' jobs, ms (default 15 000). */
  readonly heartbeatMs?: number;
  /** A worker silent this long is dead: its jobs are unlocked for others, ms (default 60 000). */
  readonly deadAfterMs?: number;
  /** On stop, running jobs get this long before they are aborted and released, ms (default 3000). */
  readonly shutdownAbortMs?: number;
  readonly log?: JobWorkerLog;
}

/** A running worker pool. */
export interface JobWorker {
  /** graphile-worker's pool id (the `locked_by` of the jobs it holds). */
  readonly id: string;
  /**
   * Stops taking jobs, lets running ones finish for `shutdownAbortMs`, then aborts and releases
   * them (failed once, retried later by any worker); resolves when the pool is down.
   */
  stop(): Promise<void>;
  /** Resolves (or rejects) when the worker pool ends. */
  readonly done: Promise<void>;
}

const SILENT: JobWorkerLog = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Errors as plain data: a logger's redaction walking a DOMException (an AbortError) throws, and
 * inside graphile-worker's failure path that would leave the job locked.
 */
const plainError = (value: unknown): unknown =>
  value instanceof Error || (typeof DOMException !== 'undefined' && value instanceof DOMException)
    ? { name: value.name, message: value.message }
    : value;

const plainMeta = (meta: Record<string, unknown> | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(meta ?? {}).map(([key, value]) => [key, plainError(value)]));

const graphileLogger = (log: JobWorkerLog): Logger =>
  new Logger((scope) => (level, message, meta) => {
    const obj = { scope, ...plainMeta(meta) };
    const name = level as string;
    if (name === 'error') log.error(obj, message);
    else if (name === 'warning') log.warn(obj, message);
    // Every job start and finish is logged at info by graphile-worker: too chatty for ours.
    else log.debug(obj, message);
  });

const taskListOf = (tasks: Readonly<Record<string, JobHandler>>): TaskList =>
  Object.fromEntries(
    Object.entries(tasks).map(([name, handler]) => [
      name,
      async (payload: unknown, helpers: JobHelpers) => {
        const work = handler(payload, {
          jobId: helpers.job.id,
          attempt: helpers.job.attempts,
          maxAttempts: helpers.job.max_attempts,
          signal: helpers.abortSignal,
        });
        // On shutdown the race rejects: the job fails, is unlocked and retried later.
        work.catch(() => undefined);
        const aborted = helpers.abortPromise.then(
          () => undefined,
          () => {
            throw new Error('worker shutting down: attempt abandoned, the job is retried');
          },
        );
        await Promise.race([work, aborted]);
      },
    ]),
  );

/**
 * Unlocks the jobs of worker pools that stopped announcing themselves (killed outright), so
 * they run again within about `deadAfterMs` instead of graphile-worker's 4-hour lock timeout.
 * Jobs locked by a pool that never announced itself count as dead only once their lock is
 * older than `deadAfterMs`. @returns the pool ids unlocked.
 */
export async function unlockDeadWorkers(pool: pg.Pool, deadAfterMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ locked_by: string }>(
    `select distinct jobs.locked_by
       from graphile_worker.jobs as jobs
      where jobs.locked_by is not null
        and jobs.locked_at < now() - make_interval(secs => $1::double precision / 1000)
        and not exists (
          select 1 from job_worker_heartbeats as h
           where h.pool_id = jobs.locked_by
             and h.last_seen_at > now() - make_interval(secs => $1::double precision / 1000))`,
    [deadAfterMs],
  );
  const dead = rows.map((row) => row.locked_by);
  if (dead.length > 0) {
    await pool.query('select graphile_worker.force_unlock_workers($1::text[])', [dead]);
  }
  await pool.query(
    `delete from job_worker_heartbeats
      where last_seen_at < now() - make_interval(secs => $1::double precision / 1000)`,
    [deadAfterMs * 10],
  );
  return dead;
}

/**
 * Starts a graphile-worker pool (installing or upgrading its schema first) with the given task
 * handlers and schedule. Signals are left to the caller: call `stop()` on SIGTERM.
 */
export async function startJobWorker(options: JobWorkerOptions): Promise<JobWorker> {
  const log = options.log ?? SILENT;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const deadAfterMs = options.deadAfterMs ?? 60_000;
  const events: WorkerEvents = new EventEmitter();
  let poolId: string | null = null;
  events.on('pool:create', ({ workerPool }) => {
    poolId = workerPool.id;
  });
  events.on('job:error', ({ job, error }) =>
    log.warn(
      { jobId: job.id, task: job.task_identifier, attempt: job.attempts, err: plainError(error) },
      'job attempt failed',
    ),
  );
  events.on('job:failed', ({ job }) =>
    log.error(
      { jobId: job.id, task: job.task_identifier, attempts: job.attempts },
      'job failed permanently',
    ),
  );

  // A checked-out client (the LISTEN one) whose connection drops must not crash the process.
  options.pool.on('connect', (client) =>
    client.on('error', (err) => log.warn({ err }, 'job worker database connection failed')),
  );
  const runner: Runner = await run({
    pgPool: options.pool,
    taskList: taskListOf(options.tasks),
    parsedCronItems: parseCronItems(
      (options.schedule ?? []).map((item) => ({
        task: item.task,
        match: item.match,
        identifier: item.task,
        options: { backfillPeriod: (item.backfillSeconds ?? 0) * 1000, maxAttempts: 3 },
      })),
    ),
    concurrency: options.concurrency ?? 4,
    pollInterval: options.pollIntervalMs ?? 1000,
    noHandleSignals: true,
    gracefulShutdownAbortTimeout: options.shutdownAbortMs ?? 3000,
    logger: graphileLogger(log),
    events,
  });
  if (poolId === null) throw new Error('graphile-worker created no worker pool');
  const id: string = poolId;

  const beat = async (): Promise<void> => {
    try {
      await options.pool.query(
        `insert into job_worker_heartbeats (pool_id, hostname, pid) values ($1, $2, $3)
         on conflict (pool_id) do update set last_seen_at = now()`,
        [id, hostname(), process.pid],
      );
      const unlocked = await unlockDeadWorkers(options.pool, deadAfterMs);
      if (unlocked.length > 0) log.warn({ pools: unlocked }, 'unlocked the jobs of dead workers');
    } catch (err) {
      log.warn({ err }, 'job worker heartbeat failed');
    }
  };
  await beat();
  const timer = setInterval(() => void beat(), heartbeatMs);
  timer.unref();
  log.info({ poolId: id }, 'job worker started');

  let stopping: Promise<void> | null = null;
  return {
    id,
    done: runner.promise,
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        try {
          await runner.stop();
        } finally {
          await options.pool
            .query('delete from job_worker_heartbeats where pool_id = $1', [id])
            .catch((err: unknown) => log.warn({ err }, 'could not remove the worker heartbeat'));
          log.info({ poolId: id }, 'job worker stopped');
        }
      })();
      return stopping;
    },
  };
}
