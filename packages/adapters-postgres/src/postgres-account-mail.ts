import type { Clock, SecretTokens } from '@latchkey/domain';
import { QueuedAccountMail, type TokenSettings } from '@latchkey/application';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { PostgresJobQueue } from './postgres-job-queue.js';
import { PostgresMailLog } from './postgres-mail-log.js';
import { PostgresOneTimeTokenRepository } from './postgres-one-time-token-repository.js';
import type { AccountMailFactory } from './postgres-unit-of-work.js';

export interface PostgresAccountMailOptions {
  readonly secrets: SecretTokens;
  readonly clock: Clock;
  readonly settings: TokenSettings;
  /** Attempts of each mail job (default 10). */
  readonly maxAttempts?: number;
}

/**
 * The AccountMail of one transaction: tokens, the quota log and the mail job are all written
 * on `trx`, so a rolled-back change leaves no token and no job, and a committed one cannot lose
 * its mail. Pass the result to `new PostgresUnitOfWork(db, postgresAccountMail(…), ids, clock)`.
 */
export const postgresAccountMail =
  (options: PostgresAccountMailOptions): AccountMailFactory =>
  (trx: Kysely<Database>) =>
    new QueuedAccountMail({
      tokens: new PostgresOneTimeTokenRepository(trx),
      mailLog: new PostgresMailLog(trx),
      jobs: new PostgresJobQueue(trx, options.maxAttempts),
      secrets: options.secrets,
      clock: options.clock,
      settings: options.settings,
    });
