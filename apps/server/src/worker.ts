import type { Logger } from 'pino';
import {
  anonymiseDeletedAccounts,
  deliverMail,
  purgeExpired,
  requestPasswordReset,
} from '@latchkey/application';
import { CryptoSecretTokens, SystemClock, UuidV7Generator } from '@latchkey/adapters-crypto';
import {
  PostgresHousekeeping,
  PostgresUnitOfWork,
  createKysely,
  createPool,
  startJobWorker,
  type Database,
  type JobHandler,
  type JobWorker,
  type ScheduledTask,
} from '@latchkey/adapters-postgres';
import type { AuthEvents, CronTask, JobTask } from '@latchkey/domain';
import { createAccountMail } from './account-mail.js';
import type { Config } from './config/index.js';
import { inJobLogScope } from './log-context.js';
import { createMailer } from './mailer.js';

/** When the housekeeping jobs run (UTC); a missed run is made up when a worker starts. */
export const DEFAULT_SCHEDULE: readonly ScheduledTask[] = [
  { task: 'purge_expired', match: '17 * * * *', backfillSeconds: 3600 },
  { task: 'anonymise_deleted', match: '37 3 * * *', backfillSeconds: 86_400 },
] satisfies ReadonlyArray<ScheduledTask & { task: CronTask }>;

export interface WorkerOptions {
  readonly config: Config;
  readonly databaseUrl: string;
  readonly logger?: Logger;
  /** Overrides `DEFAULT_SCHEDULE` (tests run the housekeeping every minute). */
  readonly schedule?: readonly ScheduledTask[];
  /** Jobs run at once (default 4). */
  readonly concurrency?: number;
  /** See `JobWorkerOptions` (tests shorten them). */
  readonly heartbeatMs?: number;
  readonly deadAfterMs?: number;
  /** Counts mail deliveries (metrics of the server this worker runs in). */
  readonly events?: AuthEvents;
}

/**
 * Composes and starts the job worker (in the server when `WORKER_ENABLED`, or alone with
 * `latchkey worker`) on a connection pool of its own. `stop()` releases running jobs and closes it.
 */
export const startWorker = async (options: WorkerOptions): Promise<JobWorker> => {
  const { config, logger } = options;
  const concurrency = options.concurrency ?? 4;
  const pool = createPool({
    connectionString: options.databaseUrl,
    // One connection for LISTEN, one per running job, and some for the heartbeat and cron.
    max: concurrency + 4,
    connectTimeoutMs: config.db.connectTimeoutMs,
    // Housekeeping deletes in bulk: allow more than a request would get.
    statementTimeoutMs: 120_000,
    applicationName: 'latchkey-worker',
    preparedStatements: config.db.preparedStatements,
    onIdleError: (err) => logger?.warn({ err }, 'idle worker database connection failed'),
  });
  const db = createKysely<Database>(pool);
  const clock = new SystemClock();
  const ids = new UuidV7Generator(clock);
  const secrets = new CryptoSecretTokens();
  const unitOfWork = new PostgresUnitOfWork(
    db,
    createAccountMail(config, secrets, ids, clock),
    ids,
    clock,
  );
  const housekeeping = new PostgresHousekeeping(db);
  const mailer = createMailer(config, logger);
  const log = logger?.child({ component: 'jobs' });

  const tasks: Record<JobTask | CronTask, JobHandler> = {
    send_mail: deliverMail({
      mailer,
      ...(options.events ? { events: options.events } : {}),
      templates: {
        publicUrl: config.publicUrl,
        verifyTokenTtl: config.verifyTokenTtl,
        resetTokenTtl: config.resetTokenTtl,
      },
    }),
    password_reset_requested: requestPasswordReset({ unitOfWork }),
    purge_expired: async () => {
      const purged = await purgeExpired({ housekeeping, clock })();
      log?.info({ purged }, 'expired tokens and sessions purged');
    },
    anonymise_deleted: async () => {
      const count = await anonymiseDeletedAccounts({
        housekeeping,
        clock,
        retentionDays: config.deletedRetentionDays,
      })();
      log?.info(
        { count, retentionDays: config.deletedRetentionDays },
        'deleted accounts anonymised',
      );
    },
  };

  let worker: JobWorker;
  try {
    worker = await startJobWorker({
      pool,
      // Every line a job writes carries its jobId and task.
      tasks: inJobLogScope(tasks),
      schedule: options.schedule ?? DEFAULT_SCHEDULE,
      concurrency,
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.deadAfterMs !== undefined ? { deadAfterMs: options.deadAfterMs } : {}),
      ...(log ? { log } : {}),
    });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  let stopped: Promise<void> | null = null;
  return {
    id: worker.id,
    done: worker.done,
    stop() {
      stopped ??= (async () => {
        try {
          await worker.stop();
        } finally {
          mailer.close?.();
          await db.destroy();
        }
      })();
      return stopped;
    },
  };
};
