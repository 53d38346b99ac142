import type { Housekeeping, PurgeResult } from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** Housekeeping on PostgreSQL: set-based deletes and updates, each in one statement. */
export class PostgresHousekeeping implements Housekeeping {
  constructor(private readonly db: Kysely<Database>) {}

  async purgeExpired(cutoffs: {
    readonly tokensBefore: Date;
    readonly sessionsBefore: Date;
    readonly mailLogBefore: Date;
  }): Promise<PurgeResult> {
    const tokens = await this.db
      .deleteFrom('one_time_tokens')
      .where('expires_at', '<', cutoffs.tokensBefore)
      .executeTakeFirst();
    // Link tokens of social login (a table of their own) count as single-use tokens.
    const links = await this.db
      .deleteFrom('oauth_pending_links')
      .where('expires_at', '<', cutoffs.tokensBefore)
      .executeTakeFirst();
    // Refresh tokens go with their session (on delete cascade).
    const sessions = await this.db
      .deleteFrom('sessions')
      .where('expires_at', '<', cutoffs.sessionsBefore)
      .executeTakeFirst();
    const mailLog = await this.db
      .deleteFrom('mail_log')
      .where('created_at', '<', cutoffs.mailLogBefore)
      .executeTakeFirst();
    return {
      tokens: Number(tokens.numDeletedRows) + Number(links.numDeletedRows),
      sessions: Number(sessions.numDeletedRows),
      mailLog: Number(mailLog.numDeletedRows),
    };
  }

  async anonymiseDeleted(deletedBefore: Date, now: Date): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const anonymised = await trx
        .updateTable('users')
        .set({
          email: sql<string>`'deleted+' || id::text || '@invalid'`,
          display_name: null,
          password_hash: null,
          pending_email: null,
          updated_at: now,
        })
        .where('deleted_at', 'is not', null)
        .where('deleted_at', '<', deletedBefore)
        .where(sql<boolean>`email <> 'deleted+' || id::text || '@invalid'`)
        .returning('id')
        .execute();
      const ids = anonymised.map((row) => row.id);
      if (ids.length === 0) return 0;
      // Sessions hold IP addresses and user agents; tokens and quota rows are of no further use.
      await trx.deleteFrom('sessions').where('user_id', 'in', ids).execute();
      await trx.deleteFrom('one_time_tokens').where('user_id', 'in', ids).execute();
      await trx.deleteFrom('mail_log').where('user_id', 'in', ids).execute();
      // Provider identities carry the provider's email, and would keep the identity bound to a
      // dead account: the person could never sign in with that provider again.
      await trx.deleteFrom('user_auth_providers').where('user_id', 'in', ids).execute();
      await trx.deleteFrom('oauth_pending_links').where('user_id', 'in', ids).execute();
      return ids.length;
    });
  }
}
