import type {
  OneTimeToken,
  OneTimeTokenPurpose,
  OneTimeTokenRepository,
  UserId,
} from '@latchkey/domain';
import type { Kysely } from 'kysely';
import type { Database, OneTimeTokenRow } from './database.js';
import { isUuid } from './driver-errors.js';

/** Maps a one_time_tokens row to the domain's token. */
export const toOneTimeToken = (row: OneTimeTokenRow): OneTimeToken => ({
  tokenHash: row.token_hash,
  userId: row.user_id,
  purpose: row.purpose,
  email: row.email,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
  supersededAt: row.superseded_at,
});

/** OneTimeTokenRepository on PostgreSQL; in the caller's transaction when built over one. */
export class PostgresOneTimeTokenRepository implements OneTimeTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: OneTimeToken): Promise<void> {
    await this.db
      .insertInto('one_time_tokens')
      .values({
        token_hash: token.tokenHash,
        user_id: token.userId,
        purpose: token.purpose,
        email: token.email,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        used_at: token.usedAt,
        superseded_at: token.supersededAt,
      })
      .execute();
  }

  async supersede(
    userId: UserId,
    purposes: readonly OneTimeTokenPurpose[],
    now: Date,
    exceptHash?: string,
  ): Promise<number> {
    if (!isUuid(userId) || purposes.length === 0) return 0;
    let query = this.db
      .updateTable('one_time_tokens')
      .set({ superseded_at: now })
      .where('user_id', '=', userId)
      .where('purpose', 'in', purposes)
      .where('superseded_at', 'is', null)
      .where('expires_at', '>', now);
    if (exceptHash !== undefined) query = query.where('token_hash', '<>', exceptHash);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async consume(
    tokenHash: string,
    purposes: readonly OneTimeTokenPurpose[],
    now: Date,
  ): Promise<OneTimeToken | null> {
    if (purposes.length === 0) return null;
    // One conditional UPDATE … RETURNING: a concurrent redemption blocks on the row lock, then
    // re-checks `used_at is null` against the committed row and matches nothing.
    const row = await this.db
      .updateTable('one_time_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('purpose', 'in', purposes)
      .where('used_at', 'is', null)
      .where('superseded_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toOneTimeToken(row);
  }

  async find(tokenHash: string): Promise<OneTimeToken | null> {
    const row = await this.db
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? null : toOneTimeToken(row);
  }
}
