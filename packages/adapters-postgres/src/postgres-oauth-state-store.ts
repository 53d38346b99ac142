import type { OAuthStateStore } from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** Expired states removed per save: bounded work, and the table stays small. */
const PURGE_BATCH = 100;

/** OAuthStateStore on PostgreSQL: redeeming a state deletes its row. */
export class PostgresOAuthStateStore implements OAuthStateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async save(stateHash: string, expiresAt: Date): Promise<void> {
    await this.db
      .with('expired', (db) =>
        db
          .selectFrom('oauth_states')
          .select('state_hash')
          .where('expires_at', '<', sql<Date>`now()`)
          .limit(PURGE_BATCH),
      )
      .deleteFrom('oauth_states')
      .where('state_hash', 'in', (eb) => eb.selectFrom('expired').select('state_hash'))
      .execute();
    await this.db
      .insertInto('oauth_states')
      .values({ state_hash: stateHash, expires_at: expiresAt })
      .execute();
  }

  async consume(stateHash: string, now: Date): Promise<boolean> {
    // One DELETE … RETURNING: of concurrent redemptions only the first finds the row.
    const row = await this.db
      .deleteFrom('oauth_states')
      .where('state_hash', '=', stateHash)
      .returning('expires_at')
      .executeTakeFirst();
    return row !== undefined && row.expires_at.getTime() > now.getTime();
  }
}
