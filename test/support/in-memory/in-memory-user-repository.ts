import type { RoleName, User, UserId, UserRepository } from '@latchkey/domain';
import { ADMIN_ROLE, EmailTakenError, ValidationError, emailKey } from '@latchkey/domain';
import { clone, type InMemoryState, type StateAccess } from './in-memory-database.js';

const sortedRoles = (roles: readonly RoleName[]): RoleName[] => [...new Set(roles)].sort();

const assertEmailFree = (state: InMemoryState, user: User): void => {
  const key = emailKey(user.email);
  for (const other of state.users.values()) {
    if (other.id !== user.id && emailKey(other.email) === key) throw new EmailTakenError();
  }
};

const assertRolesExist = (state: InMemoryState, roles: readonly RoleName[]): void => {
  const unknown = roles.filter((role) => !state.roles.has(role));
  if (unknown.length > 0) {
    throw new ValidationError([{ path: '/roles', message: `unknown role: ${unknown.join(', ')}` }]);
  }
};

/** UserRepository over the fake database; roles come back sorted by name, like PostgreSQL's. */
export class InMemoryUserRepository implements UserRepository {
  constructor(private readonly access: StateAccess) {}

  async findById(id: UserId): Promise<User | null> {
    const user = this.access.read().users.get(id);
    return user === undefined ? null : clone(user);
  }

  async findByEmail(email: string): Promise<User | null> {
    const key = emailKey(email);
    for (const user of this.access.read().users.values()) {
      if (emailKey(user.email) === key) return clone(user);
    }
    return null;
  }

  findByIdForUpdate(id: UserId): Promise<User | null> {
    // Transactions of the fake run one at a time: every read is as good as locked.
    return this.findById(id);
  }

  async recordSignIn(id: UserId, at: Date): Promise<void> {
    await this.access.write((state) => {
      const user = state.users.get(id);
      if (user !== undefined) state.users.set(id, { ...user, lastLoginAt: new Date(at) });
    });
  }

  async insert(user: User): Promise<void> {
    await this.access.write((state) => {
      if (state.users.has(user.id)) throw new Error(`duplicate user id ${user.id}`);
      assertEmailFree(state, user);
      assertRolesExist(state, user.roles);
      state.users.set(user.id, { ...clone(user), roles: sortedRoles(user.roles) });
    });
  }

  async update(user: User): Promise<void> {
    await this.access.write((state) => {
      const stored = state.users.get(user.id);
      if (stored === undefined) return;
      assertEmailFree(state, user);
      state.users.set(user.id, { ...clone(user), roles: stored.roles });
    });
  }

  async setRoles(id: UserId, roles: readonly RoleName[]): Promise<void> {
    await this.access.write((state) => {
      assertRolesExist(state, roles);
      const stored = state.users.get(id);
      if (stored !== undefined) state.users.set(id, { ...stored, roles: sortedRoles(roles) });
    });
  }

  async lockActiveAdmins(): Promise<UserId[]> {
    return [...this.access.read().users.values()]
      .filter(
        (u) => u.deletedAt === null && u.status !== 'suspended' && u.roles.includes(ADMIN_ROLE),
      )
      .map((u) => u.id)
      .sort();
  }
}
