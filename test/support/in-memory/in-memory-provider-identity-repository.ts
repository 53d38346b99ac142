import type {
  AuthProviderName,
  OAuthStateStore,
  PendingLink,
  PendingLinkRepository,
  ProviderIdentity,
  ProviderIdentityRepository,
  UserId,
} from '@latchkey/domain';
import { clone, type StateAccess } from './in-memory-database.js';

const keyOf = (provider: AuthProviderName, subject: string): string =>
  `${provider}\u0000${subject}`;

/** ProviderIdentityRepository over the fake database. */
export class InMemoryProviderIdentityRepository implements ProviderIdentityRepository {
  constructor(private readonly access: StateAccess) {}

  async find(provider: AuthProviderName, subject: string): Promise<ProviderIdentity | null> {
    const identity = this.access.read().identities.get(keyOf(provider, subject));
    return identity === undefined ? null : clone(identity);
  }

  async listForUser(userId: UserId): Promise<ProviderIdentity[]> {
    return [...this.access.read().identities.values()]
      .filter((i) => i.userId === userId)
      .sort(
        (a, b) =>
          a.linkedAt.getTime() - b.linkedAt.getTime() || a.provider.localeCompare(b.provider),
      )
      .map(clone);
  }

  async insert(identity: ProviderIdentity): Promise<boolean> {
    return this.access.write((state) => {
      if (!state.users.has(identity.userId)) throw new Error(`no user ${identity.userId}`);
      const key = keyOf(identity.provider, identity.subject);
      const taken = [...state.identities.values()].some(
        (i) => i.userId === identity.userId && i.provider === identity.provider,
      );
      if (state.identities.has(key) || taken) return false;
      state.identities.set(key, clone(identity));
      return true;
    });
  }

  async updateEmail(
    provider: AuthProviderName,
    subject: string,
    email: string | null,
    emailVerified: boolean,
  ): Promise<void> {
    await this.access.write((state) => {
      const key = keyOf(provider, subject);
      const identity = state.identities.get(key);
      if (identity !== undefined) state.identities.set(key, { ...identity, email, emailVerified });
    });
  }

  async delete(userId: UserId, provider: AuthProviderName): Promise<boolean> {
    return this.access.write((state) => {
      for (const [key, identity] of state.identities) {
        if (identity.userId === userId && identity.provider === provider) {
          state.identities.delete(key);
          return true;
        }
      }
      return false;
    });
  }
}

/** PendingLinkRepository over the fake database. */
export class InMemoryPendingLinkRepository implements PendingLinkRepository {
  constructor(private readonly access: StateAccess) {}

  async insert(link: PendingLink): Promise<void> {
    await this.access.write((state) => {
      if (state.pendingLinks.has(link.tokenHash)) throw new Error('duplicate link token hash');
      if (!state.users.has(link.userId)) throw new Error(`no user ${link.userId}`);
      state.pendingLinks.set(link.tokenHash, clone(link));
    });
  }

  async find(tokenHash: string): Promise<PendingLink | null> {
    const link = this.access.read().pendingLinks.get(tokenHash);
    return link === undefined ? null : clone(link);
  }

  async consume(tokenHash: string, now: Date): Promise<PendingLink | null> {
    return this.access.write((state) => {
      const link = state.pendingLinks.get(tokenHash);
      if (link === undefined || link.usedAt !== null || link.expiresAt.getTime() <= now.getTime()) {
        return null;
      }
      const used = { ...link, usedAt: now };
      state.pendingLinks.set(tokenHash, used);
      return clone(used);
    });
  }
}

/** OAuthStateStore in a Map (a single process is all a fake needs). */
export class InMemoryOAuthStateStore implements OAuthStateStore {
  readonly states = new Map<string, Date>();

  async save(stateHash: string, expiresAt: Date): Promise<void> {
    this.states.set(stateHash, expiresAt);
  }

  async consume(stateHash: string, now: Date): Promise<boolean> {
    const expiresAt = this.states.get(stateHash);
    this.states.delete(stateHash);
    return expiresAt !== undefined && expiresAt.getTime() > now.getTime();
  }
}
