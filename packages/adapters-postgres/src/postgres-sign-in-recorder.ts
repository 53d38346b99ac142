import type { Clock, IdGenerator, SignIn, SignInRecorder } from '@latchkey/domain';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { isUuid } from './driver-errors.js';
import { prepared } from './pool.js';

/**
 * One statement: the stamp, the session with its first refresh token, and the audit row. The
 * inserts read from `stamped`, so when the user changed nothing is written.
 *
 * Timestamps are compared to the millisecond, the precision the pre-hash read handed out. The
 * `xmin` condition covers a change committed while the update waited for the row lock: the
 * update then rechecks the newest row version, but the subqueries keep the statement's snapshot
 * and would still see the old roles; a different `xmin` says the row was rewritten meanwhile
 * (a role change always rewrites it, see admin-update-user).
 */
const SIGN_IN = `with stamped as (
  update users set last_login_at = $2
  where users.id = $1
    and users.xmin = (select seen.xmin from users seen where seen.id = $1)
    and users.email = $3
    and users.pending_email is not distinct from $4
    and users.display_name is not distinct from $5
    and users.status = $6
    and users.password_hash is not distinct from $7
    and date_trunc('milliseconds', users.email_verified_at) is not distinct from $8
    and date_trunc('milliseconds', users.deleted_at) is not distinct from $9
    and date_trunc('milliseconds', users.created_at) = $10
    and date_trunc('milliseconds', users.updated_at) = $11
    and coalesce((select array_agg(ur.role_name order by ur.role_name) from user_roles ur
                  where ur.user_id = users.id), '{}')
      = coalesce((select array_agg(distinct r order by r) from unnest($12::text[]) r), '{}')
  returning users.id
), opened as (
  insert into sessions
    (id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent, ip, tokens_valid_from)
  select $13::uuid, stamped.id, $14::timestamptz, $15::timestamptz, $16::timestamptz,
    $17::timestamptz, $18::text, $19::text, $14::timestamptz
  from stamped
  returning id, created_at
), first_token as (
  insert into refresh_tokens (token_hash, session_id, created_at)
  select $20::text, opened.id, opened.created_at from opened
)
insert into audit_events (id, type, actor_id, target_id, ip, user_agent, data, created_at)
select $21::uuid, $22::text, $23::uuid, $24::uuid, $25::text, $26::text, $27::jsonb,
  $28::timestamptz
from stamped
returning id`;

/**
 * SignInRecorder on PostgreSQL: one prepared statement in autocommit, so a login's writes cost
 * one round trip instead of a transaction's six (begin, stamp, read, session, audit, commit).
 */
export class PostgresSignInRecorder implements SignInRecorder {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async recordIfUnchanged({
    user,
    at,
    session,
    refreshTokenHash,
    event,
  }: SignIn): Promise<boolean> {
    if (!isUuid(user.id)) return false;
    const parameters = [
      user.id,
      at,
      user.email,
      user.pendingEmail,
      user.displayName,
      user.status,
      user.passwordHash,
      user.emailVerifiedAt,
      user.deletedAt,
      user.createdAt,
      user.updatedAt,
      user.roles,
      session.id,
      session.createdAt,
      session.lastUsedAt,
      session.expiresAt,
      session.revokedAt ?? null,
      session.userAgent ?? null,
      session.ip ?? null,
      refreshTokenHash,
      this.ids.newId(),
      event.type,
      event.actorId ?? null,
      event.targetId ?? null,
      event.ip ?? null,
      event.userAgent ?? null,
      // pg would send a JS array as a PostgreSQL array: always send JSON text.
      JSON.stringify(event.data),
      this.clock.now(),
    ];
    const { rows } = await this.db.executeQuery(
      prepared(CompiledQuery.raw(SIGN_IN, parameters) as CompiledQuery<{ id: string }>),
    );
    return rows.length === 1;
  }
}
