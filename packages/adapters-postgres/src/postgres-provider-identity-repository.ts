import type {
  AuthProviderName,
  PendingLink,
  PendingLinkRepository,
  ProviderIdentity,
  ProviderIdentityRepository,
  UserId,
} from '@latchkey/domain';
import type { Kysely } from 'kysely';
import type { Database, PendingLinkRow, UserAuthProviderRow } from './database.js';
import { isUuid } from './driver-errors.js';

/** Maps a user_auth_providers row to the domain's identity. */
export const toProviderIdentity = (row: UserAuthProviderRow): ProviderIdentity => ({
  userId: row.user_id,
  provider: row.provider,
  subject: row.subject,
  email: row.email,
  emailVerified: row.email_verified,
  linkedAt: row.linked_at,
});

/** Maps an oauth_pending_links row to the domain's pending link. */
export const toPendingLink = (row: PendingLinkRow): PendingLink => ({
  tokenHash: row.token_hash,
  userId: row.user_id,
  provider: row.provider,
  subject: row.subject,
  email: row.email,
  emailVerified: row.email_verified,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
});

/** ProviderIdentityRepository on PostgreSQL; in the caller's transaction when built over one. */
export class PostgresProviderIdentityRepository implements ProviderIdentityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(provider: AuthProviderName, subject: string): Promise<ProviderIdentity | null> {
    const row = await this.db
      .selectFrom('user_auth_providers')
      .selectAll()
      .where('provider', '=', provider)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row === undefined ? null : toProviderIdentity(row);
  }

  async listForUser(userId: UserId): Promise<ProviderIdentity[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.db
      .selectFrom('user_auth_providers')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('linked_at')
      .orderBy('provider')
      .execute();
    return rows.map(toProviderIdentity);
  }

  async insert(identity: ProviderIdentity): Promise<boolean> {
    // Both unique keys (provider, subject) and (user_id, provider) end in "nothing inserted".
    const result = await this.db
      .insertInto('user_auth_providers')
      .values({
        user_id: identity.userId,
        provider: identity.provider,
        subject: identity.subject,
        email: identity.email,
        email_verified: identity.emailVerified,
        linked_at: identity.linkedAt,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async updateEmail(
    provider: AuthProviderName,
    subject: string,
    email: string | null,
    emailVerified: boolean,
  ): Promise<void> {
    await this.db
      .updateTable('user_auth_providers')
      .set({ email, email_verified: emailVerified })
      .where('provider', '=', provider)
      .where('subject', '=', subject)
      .execute();
  }

  async delete(userId: UserId, provider: AuthProviderName): Promise<boolean> {
    if (!isUuid(userId)) return false;
    const result = await this.db
      .deleteFrom('user_auth_providers')
      .where('user_id', '=', userId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

/** PendingLinkRepository on PostgreSQL. */
export class PostgresPendingLinkRepository implements PendingLinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(link: PendingLink): Promise<void> {
    await this.db
      .insertInto('oauth_pending_links')
      .values({
        token_hash: link.tokenHash,
        user_id: link.userId,
        provider: link.provider,
        subject: link.subject,
        email: link.email,
        email_verified: link.emailVerified,
        created_at: link.createdAt,
        expires_at: link.expiresAt,
        used_at: link.usedAt,
      })
      .execute();
  }

  async find(tokenHash: string): Promise<PendingLink | null> {
    const row = await this.db
      .selectFrom('oauth_pending_links')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? null : toPendingLink(row);
  }

  async consume(tokenHash: string, now: Date): Promise<PendingLink | null> {
    // One conditional UPDATE … RETURNING: a concurrent redemption waits on the row lock, then
    // re-checks `used_at is null` and matches nothing.
    const row = await this.db
      .updateTable('oauth_pending_links')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toPendingLink(row);
  }
}
