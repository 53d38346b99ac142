import type {
  RefreshTokenRecord,
  Session,
  SessionAuthState,
  SessionId,
  SessionRepository,
  UserId,
} from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { Database, RefreshTokenRow, SessionRow } from './database.js';
import { isUuid } from './driver-errors.js';
import { StatementCache } from './statement-cache.js';

type SessionFields = Pick<
  SessionRow,
  | 'id'
  | 'user_id'
  | 'created_at'
  | 'last_used_at'
  | 'expires_at'
  | 'revoked_at'
  | 'user_agent'
  | 'ip'
>;

/** Maps a sessions row to the domain's Session. */
export const toSession = (row: SessionFields): Session => ({
  id: row.id,
  userId: row.user_id,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  userAgent: row.user_agent,
  ip: row.ip,
});

/** Maps a refresh_tokens row to its record. */
export const toRefreshToken = (row: RefreshTokenRow): RefreshTokenRecord => ({
  tokenHash: row.token_hash,
  sessionId: row.session_id,
  createdAt: row.created_at,
  rotatedAt: row.rotated_at,
});

const SESSION_COLUMNS = [
  'sessions.id',
  'sessions.user_id',
  'sessions.created_at',
  'sessions.last_used_at',
  'sessions.expires_at',
  'sessions.revoked_at',
  'sessions.user_agent',
  'sessions.ip',
] as const;

/** SessionRepository on PostgreSQL: sessions are refresh-token families; tokens by hash only. */
export class PostgresSessionRepository implements SessionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly statements: StatementCache = new StatementCache(),
  ) {}

  async create(session: Session, tokenHash: string): Promise<void> {
    // One statement, built once and prepared (every login and registration runs it): the
    // session and its first token.
    const parameters = [
      session.id,
      session.userId,
      session.createdAt,
      session.lastUsedAt,
      session.expiresAt,
      session.revokedAt ?? null,
      session.userAgent ?? null,
      session.ip ?? null,
      session.createdAt,
      tokenHash,
    ];
    const insert = this.statements.get('sessions.create', parameters, () =>
      this.db
        .with('created', (db) =>
          db
            .insertInto('sessions')
            .values({
              id: session.id,
              user_id: session.userId,
              created_at: session.createdAt,
              last_used_at: session.lastUsedAt,
              expires_at: session.expiresAt,
              revoked_at: session.revokedAt ?? null,
              user_agent: session.userAgent ?? null,
              ip: session.ip ?? null,
              tokens_valid_from: session.createdAt,
            })
            .returning(['id', 'created_at']),
        )
        .insertInto('refresh_tokens')
        .columns(['token_hash', 'session_id', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom('created')
            .select([
              sql<string>`${tokenHash}::text`.as('token_hash'),
              'created.id',
              'created.created_at',
            ]),
        ),
    );
    await this.db.executeQuery(insert);
  }

  async findByTokenHashForUpdate(
    tokenHash: string,
  ): Promise<{ session: Session; token: RefreshTokenRecord } | null> {
    // FOR UPDATE without OF: both the token row and its session row are locked.
    const row = await this.db
      .selectFrom('refresh_tokens')
      .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .select(SESSION_COLUMNS)
      .select([
        'refresh_tokens.token_hash',
        'refresh_tokens.session_id',
        'refresh_tokens.created_at as token_created_at',
        'refresh_tokens.rotated_at',
      ])
      .where('refresh_tokens.token_hash', '=', tokenHash)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) return null;
    return {
      session: toSession(row),
      token: toRefreshToken({ ...row, created_at: row.token_created_at }),
    };
  }

  async rotate(sessionId: SessionId, oldHash: string, newHash: string, now: Date): Promise<void> {
    await this.db
      .with('rotated', (db) =>
        db
          .updateTable('refresh_tokens')
          .set({ rotated_at: now })
          .where('token_hash', '=', oldHash)
          .where('session_id', '=', sessionId)
          .where('rotated_at', 'is', null),
      )
      .insertInto('refresh_tokens')
      .values({ token_hash: newHash, session_id: sessionId, created_at: now })
      .execute();
  }

  async touch(sessionId: SessionId, now: Date): Promise<void> {
    if (!isUuid(sessionId)) return;
    await this.db
      .updateTable('sessions')
      .set({ last_used_at: now })
      .where('id', '=', sessionId)
      .execute();
  }

  async findById(id: SessionId): Promise<Session | null> {
    if (!isUuid(id)) return null;
    const row = await this.db
      .selectFrom('sessions')
      .select(SESSION_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : toSession(row);
  }

  async listActive(userId: UserId, now: Date): Promise<Session[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.db
      .selectFrom('sessions')
      .select(SESSION_COLUMNS)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toSession);
  }

  async revoke(id: SessionId, now: Date, reason: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async revokeAllForUser(
    userId: UserId,
    now: Date,
    reason: string,
    exceptId?: SessionId,
  ): Promise<number> {
    if (!isUuid(userId)) return 0;
    let query = this.db
      .updateTable('sessions')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now);
    if (exceptId !== undefined && isUuid(exceptId)) query = query.where('id', '<>', exceptId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async invalidateAccessTokens(userId: UserId, from: Date): Promise<void> {
    if (!isUuid(userId)) return;
    // greatest(): never moves the bar back.
    await this.db
      .updateTable('sessions')
      .set({ tokens_valid_from: sql<Date>`greatest(tokens_valid_from, ${from}::timestamptz)` })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async authState(id: SessionId): Promise<SessionAuthState | null> {
    if (!isUuid(id)) return null;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id',
        'sessions.user_id',
        'sessions.revoked_at',
        'sessions.expires_at',
        'sessions.tokens_valid_from',
        'users.status',
        'users.deleted_at',
      ])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return null;
    return {
      sessionId: row.id,
      userId: row.user_id,
      revoked: row.revoked_at !== null,
      expiresAt: row.expires_at,
      tokensValidFrom: row.tokens_valid_from,
      userStatus: row.status,
      userDeleted: row.deleted_at !== null,
    };
  }
}
