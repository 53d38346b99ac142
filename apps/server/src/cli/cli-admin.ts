import { Argon2PasswordHasher } from '@latchkey/adapters-argon2';
import { CryptoSecretTokens, SystemClock, UuidV7Generator } from '@latchkey/adapters-crypto';
import { PostgresUnitOfWork, isUuid, type Database } from '@latchkey/adapters-postgres';
import { InProcessPermissionCache, type AdminDeps } from '@latchkey/application';
import type { RequestContext, User } from '@latchkey/domain';
import { DomainError } from '@latchkey/domain';
import type { Kysely } from 'kysely';
import { createAccountMail } from '../account-mail.js';
import { composeAdminDeps } from '../admin.js';
import type { Config } from '../config/index.js';

/** Audit context of the command line: no IP; the user agent names the CLI. */
export const CLI_CONTEXT: RequestContext = { ip: null, userAgent: 'latchkey-cli' };

/**
 * The administration ports for one CLI run. Changes take effect on every instance within 1 s
 * like the API's: sessions and token validity live in the database, and a permission cache
 * entry whose roles differ from the user's is never used.
 */
export const cliAdminDeps = (db: Kysely<Database>, config: Config): AdminDeps => {
  const clock = new SystemClock();
  const ids = new UuidV7Generator(clock);
  const secrets = new CryptoSecretTokens();
  return composeAdminDeps({
    db,
    unitOfWork: new PostgresUnitOfWork(
      db,
      createAccountMail(config, secrets, ids, clock),
      ids,
      clock,
    ),
    hasher: new Argon2PasswordHasher({ ...config.argon2, concurrency: 1, maxQueued: 4 }),
    permissionCache: new InProcessPermissionCache(clock),
    clock,
    ids,
  });
};

/** @returns the user named by an id or an email (deleted ones too). @throws when none is. */
export const findUserRef = async (deps: AdminDeps, ref: string): Promise<User> => {
  const user = isUuid(ref) ? await deps.users.findById(ref) : await deps.users.findByEmail(ref);
  if (user === null) throw new Error(`no user ${JSON.stringify(ref)}`);
  return user;
};

/** Runs `work`; a domain error becomes a one-line `code: message` failure. */
export const domainFailure = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) {
      throw new Error(error.message === '' ? error.code : `${error.code}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
};

/** One line per user: id, email, status, roles, createdAt, deletedAt (`-` when live), tab-separated. */
export const userLine = (user: User): string =>
  [
    user.id,
    user.email,
    user.status,
    user.roles.join(',') || '-',
    user.createdAt.toISOString(),
    user.deletedAt === null ? '-' : user.deletedAt.toISOString(),
  ].join('\t');
