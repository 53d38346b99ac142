import type { AuditQuery, AuditRecord, AuditTrail, Page } from '@latchkey/domain';
import { assertOrderedRange } from './admin-list-users.js';

/** Lists the audit trail, newest first, filtered and keyset-paginated. */
export const listAuditEvents =
  (deps: { auditTrail: AuditTrail }) =>
  async (query: AuditQuery): Promise<Page<AuditRecord>> => {
    assertOrderedRange(query.from, query.to, '/to');
    return deps.auditTrail.list(query);
  };
