import type { UserId } from '../user.js';

export const AUDIT_EVENT_TYPES = [
  'user.registered',
  'user.login_succeeded',
  'user.login_failed',
  'user.login_locked',
  'user.logout',
  'session.refresh_reuse',
  'session.revoked',
  'user.password_changed',
  'user.password_reset',
  'user.email_verified',
  'user.email_change_requested',
  'user.updated',
  'user.deleted',
  'admin.user_updated',
  'admin.user_deleted',
  'admin.user_restored',
  'admin.roles_changed',
  'admin.user_suspended',
  'admin.user_unsuspended',
  'admin.user_created',
  'oauth.linked',
  'oauth.unlinked',
  'oauth.login',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Who did it, from where: carried from the request into every use case that audits. */
export interface RequestContext {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** A security-relevant event, recorded in the transaction of the change it describes. */
export interface AuditEvent {
  readonly type: AuditEventType;
  readonly actorId: UserId | null;
  readonly targetId: UserId | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Writes audit events. */
export interface AuditLog {
  /** Records `event` (in the surrounding transaction when there is one). */
  record(event: AuditEvent): Promise<void>;
}
