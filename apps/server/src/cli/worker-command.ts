import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../embedded-postgres.js';
import { createLogger } from '../logger.js';
import { startWorker } from '../worker.js';
import type { CliCommand } from './command.js';
import { UsageError } from './command.js';

const USAGE = 'worker [--concurrency N]';

const waitForSignal = (): Promise<string> =>
  new Promise((resolve) => {
    const on = (signal: string) => () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(signal);
    };
    const onTerm = on('SIGTERM');
    const onInt = on('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
  });

/**
 * `worker`: runs the background job worker alone (mails, housekeeping) until SIGTERM or SIGINT,
 * then stops gracefully: running jobs get a few seconds, then are released for a retry.
 * Logs JSON lines to stdout like the server. Several may run at once, on several machines.
 */
export const workerCommand: CliCommand = {
  name: 'worker',
  usage: USAGE,
  summary: 'run the background job worker until SIGTERM/SIGINT',
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { concurrency: { type: 'string' } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
      throw new UsageError('--concurrency must be an integer from 1 to 100');
    }
    const config = ctx.config();
    const logger = createLogger(config.logLevel);
    const embedded =
      config.databaseUrl === undefined
        ? await startEmbeddedPostgres(config.dataDir, {
            debug: (msg) => logger.debug(msg),
            info: (msg) => logger.info(msg),
            warn: (msg) => logger.warn(msg),
          })
        : undefined;
    try {
      const databaseUrl = config.databaseUrl ?? embedded?.url ?? '';
      const worker = await startWorker({ config, databaseUrl, logger, concurrency });
      const signal = await Promise.race([waitForSignal(), worker.done.then(() => 'ended')]);
      logger.info({ signal }, 'worker shutting down');
      await worker.stop();
    } finally {
      await embedded?.stop();
    }
  },
};
