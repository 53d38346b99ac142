import type { SessionView } from '@latchkey/application';
import type { User } from '@latchkey/domain';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** The self view of a user: never a hash or token. */
export const userView = (user: User) => ({
  id: user.id,
  email: user.email,
  pendingEmail: user.pendingEmail,
  displayName: user.displayName,
  status: user.status,
  roles: [...user.roles],
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
  lastLoginAt: iso(user.lastLoginAt),
});

export const sessionView = (session: SessionView) => ({
  id: session.id,
  createdAt: session.createdAt.toISOString(),
  lastUsedAt: session.lastUsedAt.toISOString(),
  userAgent: session.userAgent,
  ip: session.ip,
  current: session.current,
});
