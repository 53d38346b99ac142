import type { ProviderIdentity, RequestContext, UserId } from '@latchkey/domain';
import {
  LastLoginMethodError,
  NotFoundError,
  isAuthProviderName,
  signInMethodsLeft,
} from '@latchkey/domain';
import { requireLiveUser } from './current-user.js';
import type { OAuthDeps } from './oauth-types.js';

/** @returns the caller's provider identities, oldest link first. */
export const listProviders =
  (deps: Pick<OAuthDeps, 'unitOfWork' | 'users'>) =>
  async (userId: UserId): Promise<ProviderIdentity[]> => {
    await requireLiveUser(deps.users, userId);
    return deps.unitOfWork.run((repos) => repos.identities.listForUser(userId));
  };

/**
 * Unlinks the caller's identity of `provider`. The user row stays locked for the transaction, so
 * concurrent unlinks are serialised and the last way to sign in can never be removed.
 */
export const unlinkProvider =
  (deps: Pick<OAuthDeps, 'unitOfWork'>) =>
  async (userId: UserId, provider: string, context: RequestContext): Promise<void> => {
    if (!isAuthProviderName(provider)) throw new NotFoundError('unknown provider');
    await deps.unitOfWork.run(async (repos) => {
      const user = await requireLiveUser(repos.users, userId, true);
      const identities = await repos.identities.listForUser(user.id);
      if (!identities.some((i) => i.provider === provider)) {
        throw new NotFoundError('no identity of this provider is linked');
      }
      if (signInMethodsLeft(user, identities, provider) === 0) {
        throw new LastLoginMethodError('the last way to sign in cannot be removed');
      }
      await repos.identities.delete(user.id, provider);
      await repos.audit.record({
        type: 'oauth.unlinked',
        actorId: user.id,
        targetId: user.id,
        ...context,
        data: { provider },
      });
    });
  };
