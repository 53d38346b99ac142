import type { MailLog, QuotaMailKind, UserId } from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** MailLog on PostgreSQL: the quota check and the record happen under a per-user lock. */
export class PostgresMailLog implements MailLog {
  constructor(private readonly db: Kysely<Database>) {}

  async tryRecord(
    userId: UserId,
    kind: QuotaMailKind,
    now: Date,
    quota: { readonly max: number; readonly since: Date },
  ): Promise<boolean> {
    // A transaction-scoped advisory lock per user: two requests cannot both see 4 and send 6.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`mail_log:${userId}`}, 0))`.execute(
      this.db,
    );
    const { count } = await this.db
      .selectFrom('mail_log')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('user_id', '=', userId)
      .where('created_at', '>', quota.since)
      .executeTakeFirstOrThrow();
    if (Number(count) >= quota.max) return false;
    await this.db
      .insertInto('mail_log')
      .values({ user_id: userId, kind, created_at: now })
      .execute();
    return true;
  }
}
