import type { AuditEventType, AuditQuery, AuditRecord, AuditTrail, Page } from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { AuditEventRow, Database } from './database.js';
import { decodeCursor, encodeCursor, timestampKey } from './keyset-cursor.js';

/** The one order of the audit list; cursors carry it. */
const NEWEST_FIRST = '-createdAt';

/** Maps an audit_events row to the record. */
export const toAuditRecord = (row: AuditEventRow): AuditRecord => ({
  id: row.id,
  type: row.type as AuditEventType,
  actorId: row.actor_id,
  targetId: row.target_id,
  ip: row.ip,
  userAgent: row.user_agent,
  data: row.data,
  createdAt: row.created_at,
});

/**
 * AuditTrail on PostgreSQL: newest first by (created_at, id), walking the indexes of migration
 * 0002 (unfiltered, by type, by actor, by target) from the cursor's position.
 */
export class PostgresAuditTrail implements AuditTrail {
  constructor(private readonly db: Kysely<Database>) {}

  async list(query: AuditQuery): Promise<Page<AuditRecord>> {
    const after = query.cursor === null ? null : decodeCursor(query.cursor, NEWEST_FIRST, true);
    let select = this.db
      .selectFrom('audit_events')
      .selectAll('audit_events')
      .select(timestampKey('audit_events.created_at').as('sort_key'));
    if (query.type !== undefined) select = select.where('type', '=', query.type);
    if (query.actorId !== undefined) select = select.where('actor_id', '=', query.actorId);
    if (query.targetId !== undefined) select = select.where('target_id', '=', query.targetId);
    if (query.from !== undefined) select = select.where('created_at', '>=', query.from);
    if (query.to !== undefined) select = select.where('created_at', '<=', query.to);
    if (after !== null) {
      select = select.where(
        sql<boolean>`(audit_events.created_at, audit_events.id) < (${after.key}::timestamptz, ${after.id}::uuid)`,
      );
    }
    const rows = await select
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > query.limit && last !== undefined
        ? encodeCursor({ sort: NEWEST_FIRST, key: last.sort_key, id: last.id })
        : null;
    return { items: items.map(toAuditRecord), nextCursor };
  }
}
