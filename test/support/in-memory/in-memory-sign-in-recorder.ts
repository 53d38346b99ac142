import { isDeepStrictEqual } from 'node:util';
import type { Clock, IdGenerator, SignIn, SignInRecorder, User } from '@latchkey/domain';
import { normalizeRoles } from '@latchkey/domain';
import { InMemoryAuditLog } from './in-memory-audit-log.js';
import type { StateAccess } from './in-memory-database.js';
import { InMemorySessionRepository } from './in-memory-session-repository.js';
import { InMemoryUserRepository } from './in-memory-user-repository.js';

/** The fields a sign-in checks: all but lastLoginAt, roles as a set. */
const comparable = (user: User) => ({
  ...user,
  lastLoginAt: null,
  roles: normalizeRoles(user.roles),
});

/** SignInRecorder over the fake database: one transaction over the fake repositories. */
export class InMemorySignInRecorder implements SignInRecorder {
  constructor(
    private readonly access: StateAccess,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  recordIfUnchanged(signIn: SignIn): Promise<boolean> {
    return this.access.transaction(async (tx) => {
      const stored = tx.read().users.get(signIn.user.id);
      if (stored === undefined || !isDeepStrictEqual(comparable(stored), comparable(signIn.user))) {
        return false;
      }
      await new InMemoryUserRepository(tx).recordSignIn(signIn.user.id, signIn.at);
      await new InMemorySessionRepository(tx).create(signIn.session, signIn.refreshTokenHash);
      await new InMemoryAuditLog(tx, this.ids, this.clock).record(signIn.event);
      return true;
    });
  }
}
