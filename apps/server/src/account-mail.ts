import type { Clock, IdGenerator, SecretTokens } from '@latchkey/domain';
import { postgresAccountMail, type AccountMailFactory } from '@latchkey/adapters-postgres';
import type { Config } from './config/index.js';

/**
 * The AccountMail of each transaction: single-use tokens, the per-account mail quota and the
 * `send_mail` job are written in the transaction of the change that causes the mail.
 */
export const createAccountMail = (
  config: Config,
  secrets: SecretTokens,
  _ids: IdGenerator,
  clock: Clock,
): AccountMailFactory =>
  postgresAccountMail({
    secrets,
    clock,
    settings: { verifyTokenTtl: config.verifyTokenTtl, resetTokenTtl: config.resetTokenTtl },
  });
