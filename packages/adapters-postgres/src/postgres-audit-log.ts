import type { AuditEvent, AuditLog, Clock, IdGenerator } from '@latchkey/domain';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { prepared } from './pool.js';

/** AuditLog on PostgreSQL: in the caller's transaction when built over one. */
export class PostgresAuditLog implements AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const insert = this.db
      .insertInto('audit_events')
      .values({
        id: this.ids.newId(),
        type: event.type,
        actor_id: event.actorId,
        target_id: event.targetId,
        ip: event.ip,
        user_agent: event.userAgent,
        // pg would send a JS array as a PostgreSQL array: always send JSON text.
        data: JSON.stringify(event.data),
        created_at: this.clock.now(),
      })
      .compile();
    // One text for every event: prepared (a login writes one).
    await this.db.executeQuery(prepared(insert));
  }
}
