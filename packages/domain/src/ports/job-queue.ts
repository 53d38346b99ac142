import type { JobPayloads, JobTask } from '../jobs.js';

/** Queues background jobs; run at least once, retried with backoff. */
export interface JobQueue {
  /** Queues `task` (in the surrounding transaction when bound to one: a rollback drops it). */
  add<T extends JobTask>(task: T, payload: JobPayloads[T]): Promise<void>;
}
