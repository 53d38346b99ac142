import type { JobPayloads, JobQueue, JobTask } from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** Attempts before a job is permanently failed (graphile-worker's backoff: exp(attempt) s). */
export const DEFAULT_MAX_ATTEMPTS = 10;

/**
 * JobQueue on graphile-worker: `graphile_worker.add_job(...)` on the given connection, so a job
 * added inside a transaction exists exactly when the transaction commits.
 */
export class PostgresJobQueue implements JobQueue {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxAttempts: number = DEFAULT_MAX_ATTEMPTS,
  ) {}

  async add<T extends JobTask>(task: T, payload: JobPayloads[T]): Promise<void> {
    await sql`select graphile_worker.add_job(${task}::text, ${JSON.stringify(payload)}::json, max_attempts := ${this.maxAttempts}::int)`.execute(
      this.db,
    );
  }
}
