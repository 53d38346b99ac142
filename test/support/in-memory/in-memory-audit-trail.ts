import type { AuditQuery, AuditRecord, AuditTrail, Page } from '@latchkey/domain';
import { clone, type StateAccess } from './in-memory-database.js';
import { compareKeys, pageOf } from './in-memory-keyset.js';

const matches = (event: AuditRecord, query: AuditQuery): boolean =>
  (query.type === undefined || event.type === query.type) &&
  (query.actorId === undefined || event.actorId === query.actorId) &&
  (query.targetId === undefined || event.targetId === query.targetId) &&
  (query.from === undefined || event.createdAt.getTime() >= query.from.getTime()) &&
  (query.to === undefined || event.createdAt.getTime() <= query.to.getTime());

/** AuditTrail over the fake database: newest first by (createdAt, id). */
export class InMemoryAuditTrail implements AuditTrail {
  constructor(private readonly access: StateAccess) {}

  async list(query: AuditQuery): Promise<Page<AuditRecord>> {
    const keyOf = (event: AuditRecord): [string, string] => [
      event.createdAt.toISOString(),
      event.id,
    ];
    const sorted = this.access
      .read()
      .audit.filter((event) => matches(event, query))
      .sort((a, b) => -compareKeys(keyOf(a), keyOf(b)));
    const page = pageOf(sorted, keyOf, true, '-createdAt', query.cursor, query.limit);
    return { items: page.items.map(clone), nextCursor: page.nextCursor };
  }
}
