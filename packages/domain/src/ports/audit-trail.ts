import type { UserId } from '../user.js';
import type { AuditEvent, AuditEventType } from './audit-log.js';
import type { Page } from './page.js';

/** An audit event as stored: with its id (UUIDv7) and the time it was recorded. */
export interface AuditRecord extends AuditEvent {
  readonly id: string;
  readonly createdAt: Date;
}

/** What the audit list asks for. Every filter is optional; they combine with AND. */
export interface AuditQuery {
  /** 1 to MAX_PAGE_SIZE. */
  readonly limit: number;
  /** `nextCursor` of the previous page; null for the first page. */
  readonly cursor: string | null;
  readonly type?: AuditEventType | undefined;
  readonly actorId?: UserId | undefined;
  readonly targetId?: UserId | undefined;
  /** Recorded at or after this instant. */
  readonly from?: Date | undefined;
  /** Recorded at or before this instant. */
  readonly to?: Date | undefined;
}

/** Reads the audit trail, newest first, keyset-paginated. */
export interface AuditTrail {
  /**
   * @returns one page, newest first (ties broken by id), and the cursor of the next.
   * @throws ValidationError (path `/cursor`) when the cursor is malformed.
   */
  list(query: AuditQuery): Promise<Page<AuditRecord>>;
}
