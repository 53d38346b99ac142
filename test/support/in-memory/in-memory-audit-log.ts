import type { AuditEvent, AuditLog, Clock, IdGenerator } from '@latchkey/domain';
import { clone, type StateAccess } from './in-memory-database.js';

/** AuditLog over the fake database: rows get an id and the clock's time. */
export class InMemoryAuditLog implements AuditLog {
  constructor(
    private readonly access: StateAccess,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const row = { ...clone(event), id: this.ids.newId(), createdAt: this.clock.now() };
    await this.access.write((state) => {
      state.audit.push(row);
    });
  }
}
