import { parseArgs } from 'node:util';
import { jobQueueStatus, retryJob } from '@latchkey/adapters-postgres';
import type { CliCommand } from './command.js';
import { UsageError } from './command.js';

const USAGE = 'jobs status | jobs retry <id>';

const oneLine = (text: string | null, max = 200): string => {
  if (text === null) return '-';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * `jobs status`: counts of the job queue and the permanently failed jobs (id, task, attempts,
 * last error; payloads are never printed: mail jobs hold single-use tokens).
 * `jobs retry <id>`: puts a job (a permanently failed one included) back in the queue now.
 */
export const jobsCommand: CliCommand = {
  name: 'jobs',
  usage: USAGE,
  summary: 'show the job queue, or retry a failed job',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const [action, ...rest] = positionals;
    switch (action) {
      case 'status': {
        if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
        const status = await ctx.withDatabase((db) => jobQueueStatus(db));
        ctx.print(`queued\t${status.queued}`);
        ctx.print(`retrying\t${status.retrying}`);
        ctx.print(`running\t${status.running}`);
        ctx.print(`failed\t${status.failed}`);
        if (status.failedJobs.length > 0) {
          ctx.print('id\ttask\tattempts\tfailed at\tlast error');
          for (const job of status.failedJobs) {
            ctx.print(
              `${job.id}\t${job.task}\t${job.attempts}/${job.maxAttempts}\t` +
                `${job.updatedAt.toISOString()}\t${oneLine(job.lastError)}`,
            );
          }
        }
        return;
      }
      case 'retry': {
        const [id, ...extra] = rest;
        if (id === undefined) throw new UsageError('missing job id');
        if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
        if (!/^[0-9]{1,18}$/.test(id))
          throw new UsageError(`job id must be a number (got "${id}")`);
        const queued = await ctx.withDatabase((db) => retryJob(db, id));
        if (!queued) throw new Error(`no job ${id}, or a worker is running it right now`);
        ctx.print(`job ${id} queued for retry`);
        return;
      }
      default:
        throw new UsageError(
          action === undefined ? 'missing jobs action' : `unknown jobs action "${action}"`,
        );
    }
  },
};
