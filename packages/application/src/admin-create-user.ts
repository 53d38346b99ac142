import type { RequestContext, RoleName, User } from '@latchkey/domain';
import {
  DEFAULT_ROLE,
  EmailTakenError,
  checkPasswordPolicy,
  normalizeRoles,
  parseEmail,
} from '@latchkey/domain';
import {
  assertKnownRoles,
  toAdminUser,
  type Actor,
  type AdminDeps,
  type AdminUser,
} from './admin-deps.js';

export interface AdminCreateUserInput {
  readonly email: string;
  /** Checked against the password policy; null for an account without a password. */
  readonly password: string | null;
  /** Default: `user`. */
  readonly roles?: readonly RoleName[] | undefined;
  /** true: the account starts `active` with its email verified; else `unverified`, and mailed. */
  readonly verified?: boolean | undefined;
  readonly displayName?: string | null | undefined;
}

/**
 * Creates an account as an administrator or the operator (`users create`; the first admin of an
 * installation), in one transaction with its audit event. An unverified account gets its
 * verification mail.
 * @throws ValidationError (email, password policy, unknown role); EmailTakenError
 */
export const adminCreateUser =
  (deps: Pick<AdminDeps, 'users' | 'roles' | 'unitOfWork' | 'hasher' | 'clock' | 'ids'>) =>
  async (
    actor: Actor,
    input: AdminCreateUserInput,
    context: RequestContext,
  ): Promise<AdminUser> => {
    const email = parseEmail(input.email);
    const roles = normalizeRoles(input.roles ?? [DEFAULT_ROLE]);
    const catalogue = await deps.roles.list();
    assertKnownRoles(roles, catalogue);
    const password = input.password === null ? null : checkPasswordPolicy(input.password, email);
    if (await deps.users.findByEmail(email)) throw new EmailTakenError();
    const passwordHash = password === null ? null : await deps.hasher.hash(password);
    const now = deps.clock.now();
    const verified = input.verified === true;
    const user: User = {
      id: deps.ids.newId(),
      email,
      pendingEmail: null,
      displayName: input.displayName ?? null,
      status: verified ? 'active' : 'unverified',
      passwordHash,
      roles,
      emailVerifiedAt: verified ? now : null,
      lastLoginAt: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    return deps.unitOfWork.run(async (repos) => {
      await repos.users.insert(user);
      await repos.audit.record({
        type: 'admin.user_created',
        actorId: actor.userId,
        targetId: user.id,
        ...context,
        data: { roles: [...roles], verified },
      });
      if (!verified) await repos.mail.requestVerification(user, 'verify_account');
      return toAdminUser(user, catalogue);
    });
  };
