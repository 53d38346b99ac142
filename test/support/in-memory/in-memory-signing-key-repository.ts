import type { SigningKeyRepository, StoredSigningKey } from '@latchkey/domain';
import { clone, type StateAccess } from './in-memory-database.js';

/** SigningKeyRepository over the fake database; `withLock` is a transaction of the fake. */
export class InMemorySigningKeyRepository implements SigningKeyRepository {
  constructor(private readonly access: StateAccess) {}

  async list(): Promise<StoredSigningKey[]> {
    return [...this.access.read().signingKeys.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.kid < b.kid ? 1 : -1))
      .map(clone);
  }

  async insert(key: StoredSigningKey): Promise<void> {
    await this.access.write((state) => {
      if (state.signingKeys.has(key.kid)) throw new Error(`duplicate kid ${key.kid}`);
      state.signingKeys.set(key.kid, clone(key));
    });
  }

  async retireAllExcept(kid: string, at: Date): Promise<void> {
    await this.access.write((state) => {
      for (const [id, key] of state.signingKeys) {
        if (id !== kid && key.retiredAt === null)
          state.signingKeys.set(id, { ...key, retiredAt: at });
      }
    });
  }

  withLock<T>(fn: (keys: SigningKeyRepository) => Promise<T>): Promise<T> {
    return this.access.transaction((access) => fn(new InMemorySigningKeyRepository(access)));
  }
}
