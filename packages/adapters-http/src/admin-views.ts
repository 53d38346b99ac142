import type { AdminUser } from '@latchkey/application';
import type { AuditRecord } from '@latchkey/domain';
import { userView } from './views.js';

/** The administrators' view of a user: the self view, plus deletedAt and permissions. */
export const adminUserView = (user: AdminUser) => ({
  ...userView(user),
  deletedAt: user.deletedAt === null ? null : user.deletedAt.toISOString(),
  permissions: [...user.permissions],
});

export const auditEventView = (event: AuditRecord) => ({
  id: event.id,
  type: event.type,
  actorId: event.actorId,
  targetId: event.targetId,
  ip: event.ip,
  userAgent: event.userAgent,
  data: { ...event.data },
  createdAt: event.createdAt.toISOString(),
});
