import type { AuditEvent, AuditLog, Clock, IdGenerator } from '@latchkey/domain';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { StatementCache } from './statement-cache.js';

/** AuditLog on PostgreSQL: in the caller's transaction when built over one. */
export class PostgresAuditLog implements AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly statements: StatementCache = new StatementCache(),
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const row = {
      id: this.ids.newId(),
      type: event.type,
      actor_id: event.actorId ?? null,
      target_id: event.targetId ?? null,
      ip: event.ip ?? null,
      user_agent: event.userAgent ?? null,
      // pg would send a JS array as a PostgreSQL array: always send JSON text.
      data: JSON.stringify(event.data),
      created_at: this.clock.now(),
    };
    // One text for every event: built once and prepared (a login writes one).
    await this.db.executeQuery(
      this.statements.get('audit.record', Object.values(row), () =>
        this.db.insertInto('audit_events').values(row),
      ),
    );
  }
}
