import type { JobPayloads, JobQueue, JobTask } from '@latchkey/domain';

/** A queued job as the fake keeps it. */
export interface QueuedJob<T extends JobTask = JobTask> {
  readonly task: T;
  readonly payload: JobPayloads[T];
}

/** JobQueue that only records what was added. */
export class InMemoryJobQueue implements JobQueue {
  readonly jobs: QueuedJob[] = [];

  async add<T extends JobTask>(task: T, payload: JobPayloads[T]): Promise<void> {
    this.jobs.push(structuredClone({ task, payload }));
  }

  /** @returns the payloads of the `send_mail` jobs, oldest first. */
  mails(): JobPayloads['send_mail'][] {
    return this.jobs
      .filter((j) => j.task === 'send_mail')
      .map((j) => j.payload as JobPayloads['send_mail']);
  }
}
