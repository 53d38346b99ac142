import type {
  OneTimeToken,
  OneTimeTokenPurpose,
  OneTimeTokenRepository,
  UserId,
} from '@latchkey/domain';
import { isRedeemable } from '@latchkey/domain';
import { clone, type StateAccess } from './in-memory-database.js';

/** OneTimeTokenRepository over the fake database. */
export class InMemoryOneTimeTokenRepository implements OneTimeTokenRepository {
  constructor(private readonly access: StateAccess) {}

  async insert(token: OneTimeToken): Promise<void> {
    await this.access.write((state) => {
      if (state.oneTimeTokens.has(token.tokenHash))
        throw new Error('duplicate one-time token hash');
      if (!state.users.has(token.userId)) throw new Error(`no user ${token.userId}`);
      state.oneTimeTokens.set(token.tokenHash, clone(token));
    });
  }

  async supersede(
    userId: UserId,
    purposes: readonly OneTimeTokenPurpose[],
    now: Date,
    exceptHash?: string,
  ): Promise<number> {
    return this.access.write((state) => {
      let count = 0;
      for (const [hash, token] of state.oneTimeTokens) {
        if (
          token.userId !== userId ||
          hash === exceptHash ||
          !purposes.includes(token.purpose) ||
          token.supersededAt !== null ||
          token.expiresAt.getTime() <= now.getTime()
        ) {
          continue;
        }
        state.oneTimeTokens.set(hash, { ...token, supersededAt: now });
        count += 1;
      }
      return count;
    });
  }

  async consume(
    tokenHash: string,
    purposes: readonly OneTimeTokenPurpose[],
    now: Date,
  ): Promise<OneTimeToken | null> {
    return this.access.write((state) => {
      const token = state.oneTimeTokens.get(tokenHash);
      if (token === undefined || !purposes.includes(token.purpose) || !isRedeemable(token, now))
        return null;
      const used = { ...token, usedAt: now };
      state.oneTimeTokens.set(tokenHash, used);
      return clone(used);
    });
  }

  async find(tokenHash: string): Promise<OneTimeToken | null> {
    const token = this.access.read().oneTimeTokens.get(tokenHash);
    return token === undefined ? null : clone(token);
  }
}
