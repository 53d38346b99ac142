import type {
  AuditEvent,
  Clock,
  RequestContext,
  Role,
  RoleName,
  TransactionRepositories,
  User,
  UserId,
  UserStatus,
} from '@latchkey/domain';
import {
  EmailTakenError,
  ForbiddenError,
  NotFoundError,
  can,
  emailKey,
  isDeleted,
  losesActiveAdmin,
  markVerified,
  normalizeRoles,
  parseEmail,
  sameRoles,
} from '@latchkey/domain';
import {
  assertAnotherAdmin,
  assertKnownRoles,
  lockActiveAdmins,
  toAdminUser,
  type Actor,
  type AdminDeps,
  type AdminUser,
} from './admin-deps.js';

/** What an administrator may change; absent fields stay as they are. */
export interface AdminUpdateInput {
  readonly email?: string | undefined;
  readonly displayName?: string | null | undefined;
  readonly status?: UserStatus | undefined;
  /** Replaces every role; needs `roles:assign`. */
  readonly roles?: readonly RoleName[] | undefined;
}

interface Change {
  readonly after: User;
  /** Profile fields that changed (`email`, `displayName`, `status`). */
  readonly fields: readonly string[];
  readonly rolesChanged: boolean;
  /** The previous address when the email changed (not only its case). */
  readonly oldEmail: string | null;
}

/** Applies the email: at once and as verified, the pending change (if any) dropped. */
const withEmail = (
  user: User,
  input: AdminUpdateInput,
  now: Date,
): { user: User; changed: boolean } => {
  if (input.email === undefined) return { user, changed: false };
  const email = parseEmail(input.email);
  const next = markVerified({ ...user, email, pendingEmail: null }, now);
  const changed =
    next.email !== user.email ||
    next.pendingEmail !== user.pendingEmail ||
    next.status !== user.status;
  return { user: next, changed };
};

/** Applies the status: `active` marks the email verified, `unverified` marks it not. */
const withStatus = (user: User, status: UserStatus | undefined, now: Date): User => {
  if (status === undefined || status === user.status) return user;
  if (status === 'active') return { ...user, status, emailVerifiedAt: user.emailVerifiedAt ?? now };
  if (status === 'unverified') return { ...user, status, emailVerifiedAt: null };
  return { ...user, status };
};

const plan = (before: User, input: AdminUpdateInput, now: Date): Change => {
  const fields: string[] = [];
  let after: User = before;
  if (input.displayName !== undefined && input.displayName !== before.displayName) {
    after = { ...after, displayName: input.displayName };
    fields.push('displayName');
  }
  const email = withEmail(after, input, now);
  if (email.changed) fields.push('email');
  after = withStatus(email.user, input.status, now);
  if (after.status !== before.status && !fields.includes('status')) fields.push('status');
  const roles = input.roles === undefined ? before.roles : normalizeRoles(input.roles);
  const rolesChanged = !sameRoles(roles, before.roles);
  after = { ...after, roles, updatedAt: now };
  const oldEmail = emailKey(after.email) === emailKey(before.email) ? null : before.email;
  return { after, fields, rolesChanged, oldEmail };
};

/** The audit events of one change: one per aspect, at least one per action. */
const eventsOf = (before: User, change: Change): Array<Pick<AuditEvent, 'type' | 'data'>> => {
  const { after } = change;
  const events: Array<Pick<AuditEvent, 'type' | 'data'>> = [];
  const suspended = before.status !== 'suspended' && after.status === 'suspended';
  const unsuspended = before.status === 'suspended' && after.status !== 'suspended';
  const profileFields = change.fields.filter((f) => f !== 'status' || !(suspended || unsuspended));
  if (suspended) events.push({ type: 'admin.user_suspended', data: {} });
  if (unsuspended) events.push({ type: 'admin.user_unsuspended', data: { status: after.status } });
  if (change.rolesChanged) {
    events.push({
      type: 'admin.roles_changed',
      data: { from: [...before.roles], to: [...after.roles] },
    });
  }
  if (profileFields.length > 0 || events.length === 0) {
    events.push({ type: 'admin.user_updated', data: { fields: profileFields } });
  }
  return events;
};

const write = async (
  repos: TransactionRepositories,
  clock: Clock,
  before: User,
  change: Change,
  now: Date,
): Promise<void> => {
  const { after } = change;
  await repos.users.update(after);
  if (change.rolesChanged) {
    await repos.users.setRoles(after.id, after.roles);
    // Sessions stay; tokens signed before the change carry the old perms and stop working.
    // The first call takes the sessions' row locks, waiting for refreshes in flight (they sign
    // before commit, with the old roles); the second stamps a time after them, +1 ms so that a
    // token signed in the same millisecond fails too.
    await repos.sessions.invalidateAccessTokens(after.id, now);
    await repos.sessions.invalidateAccessTokens(after.id, new Date(clock.now().getTime() + 1));
  }
  if (before.status !== 'suspended' && after.status === 'suspended') {
    await repos.sessions.revokeAllForUser(after.id, now, 'suspended');
  }
  if (change.fields.includes('email')) {
    // A verification link sent earlier must not change the email the admin just set.
    await repos.tokens.supersede(after.id, ['verify_account', 'verify_email_change'], now);
  }
  if (change.oldEmail !== null) await repos.mail.emailChanged(after, change.oldEmail);
};

/**
 * Changes a user as an administrator, in one transaction with its audit events. An email applies
 * at once, as verified. A role change keeps the sessions but makes earlier access tokens fail
 * (the next refresh carries the new permissions); a suspension revokes every session. The last
 * active admin cannot lose `admin` or be suspended. A soft-deleted user is not found: restore it
 * first.
 * @throws ForbiddenError when `roles` is given without `roles:assign`; ValidationError;
 * NotFoundError; EmailTakenError; LastAdminError
 */
export const adminUpdateUser =
  (deps: Pick<AdminDeps, 'unitOfWork' | 'clock' | 'permissionCache'>) =>
  async (
    actor: Actor,
    id: UserId,
    input: AdminUpdateInput,
    context: RequestContext,
  ): Promise<AdminUser> => {
    if (input.roles !== undefined && !can(actor, 'roles:assign')) {
      throw new ForbiddenError('changing roles needs the roles:assign permission');
    }
    const email = input.email === undefined ? undefined : parseEmail(input.email);
    const result = await deps.unitOfWork.run(async (repos) => {
      const catalogue: Role[] = await repos.roles.list();
      if (input.roles !== undefined) assertKnownRoles(input.roles, catalogue);
      const mayDropAdmin = input.roles !== undefined || input.status !== undefined;
      const admins = mayDropAdmin ? await lockActiveAdmins(repos) : [];
      const before = await repos.users.findByIdForUpdate(id);
      if (before === null || isDeleted(before)) throw new NotFoundError('user not found');
      if (email !== undefined) {
        const holder = await repos.users.findByEmail(email);
        if (holder !== null && holder.id !== before.id) throw new EmailTakenError();
      }
      const now = deps.clock.now();
      const change = plan(before, input, now);
      if (losesActiveAdmin(before, change.after)) assertAnotherAdmin(admins, before.id);
      await write(repos, deps.clock, before, change, now);
      for (const event of eventsOf(before, change)) {
        await repos.audit.record({
          ...event,
          actorId: actor.userId,
          targetId: before.id,
          ...context,
        });
      }
      return { user: toAdminUser(change.after, catalogue), rolesChanged: change.rolesChanged };
    });
    if (result.rolesChanged) await deps.permissionCache.invalidate(id);
    return result.user;
  };
