import type { RoleName } from './permissions.js';

export const USER_STATUSES = ['unverified', 'active', 'suspended'] as const;
/** `unverified` (new) → `active` (email verified); `suspended` by an admin (cannot sign in). */
export type UserStatus = (typeof USER_STATUSES)[number];

export type UserId = string;

/** The User aggregate as stored. Never leaves the API with `passwordHash`. */
export interface User {
  readonly id: UserId;
  readonly email: string;
  readonly pendingEmail: string | null;
  readonly displayName: string | null;
  readonly status: UserStatus;
  /** null for an account made by a provider that has no password yet. */
  readonly passwordHash: string | null;
  readonly roles: readonly RoleName[];
  readonly emailVerifiedAt: Date | null;
  readonly lastLoginAt: Date | null;
  readonly deletedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** @returns true when the account was soft-deleted. */
export const isDeleted = (user: User): boolean => user.deletedAt !== null;

/** @returns true when the user may sign in (live and not suspended). */
export const canSignIn = (user: User): boolean => !isDeleted(user) && user.status !== 'suspended';

/** @returns the user with its email verified (`unverified` becomes `active`). */
export const markVerified = (user: User, now: Date): User => ({
  ...user,
  status: user.status === 'unverified' ? 'active' : user.status,
  emailVerifiedAt: user.emailVerifiedAt ?? now,
  updatedAt: now,
});
