import type {
  AccountMail,
  Clock,
  IdGenerator,
  TransactionRepositories,
  UnitOfWork,
} from '@latchkey/domain';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { PostgresAuditLog } from './postgres-audit-log.js';
import { PostgresOneTimeTokenRepository } from './postgres-one-time-token-repository.js';
import {
  PostgresPendingLinkRepository,
  PostgresProviderIdentityRepository,
} from './postgres-provider-identity-repository.js';
import { PostgresRoleRepository } from './postgres-role-repository.js';
import { PostgresSessionRepository } from './postgres-session-repository.js';
import { PostgresUserRepository } from './postgres-user-repository.js';
import { StatementCache } from './statement-cache.js';

/** Builds the AccountMail of one transaction (its real implementation lives in another package). */
export type AccountMailFactory = (trx: Kysely<Database>) => AccountMail;

/**
 * The PostgreSQL repositories bound to `db` (a transaction, or the pool for autocommit).
 * `statements`: where they keep their compiled hot statements (a unit of work passes its own).
 */
export const postgresRepositories = (
  db: Kysely<Database>,
  makeMail: AccountMailFactory,
  ids: IdGenerator,
  clock: Clock,
  statements: StatementCache = new StatementCache(),
): TransactionRepositories => ({
  users: new PostgresUserRepository(db, statements),
  sessions: new PostgresSessionRepository(db, statements),
  roles: new PostgresRoleRepository(db),
  audit: new PostgresAuditLog(db, ids, clock, statements),
  mail: makeMail(db),
  tokens: new PostgresOneTimeTokenRepository(db),
  identities: new PostgresProviderIdentityRepository(db),
  pendingLinks: new PostgresPendingLinkRepository(db),
});

/**
 * UnitOfWork on PostgreSQL: one transaction (READ COMMITTED) per `run`. The repositories of
 * every transaction share one StatementCache: a login's statements are built once, not per run.
 */
export class PostgresUnitOfWork implements UnitOfWork {
  readonly #statements = new StatementCache();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly makeMail: AccountMailFactory,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  run<T>(work: (repos: TransactionRepositories) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .execute((trx) =>
        work(postgresRepositories(trx, this.makeMail, this.ids, this.clock, this.#statements)),
      );
  }
}
