import type { ProviderIdentity, RequestContext, UserId } from '@latchkey/domain';
import { ForbiddenError, InvalidTokenError } from '@latchkey/domain';
import { requireLiveUser } from './current-user.js';
import type { OAuthDeps } from './oauth-types.js';

/**
 * Completes a link the callback could not make on its own (the provider did not verify the
 * email): the caller proved the local password by signing in, and redeems the link token once.
 * @returns the caller's identities after the link.
 */
export const linkProvider =
  (deps: Pick<OAuthDeps, 'unitOfWork' | 'secrets' | 'clock'>) =>
  async (
    userId: UserId,
    linkToken: string,
    context: RequestContext,
  ): Promise<ProviderIdentity[]> => {
    const hash = deps.secrets.hash(linkToken);
    return deps.unitOfWork.run(async (repos) => {
      const now = deps.clock.now();
      const pending = await repos.pendingLinks.find(hash);
      if (
        pending === null ||
        pending.usedAt !== null ||
        pending.expiresAt.getTime() <= now.getTime()
      ) {
        throw new InvalidTokenError('unknown, used or expired link token');
      }
      // Checked before redeeming: another account cannot burn someone's link token.
      if (pending.userId !== userId)
        throw new ForbiddenError('the link token names another account');
      if ((await repos.pendingLinks.consume(hash, now)) === null) {
        throw new InvalidTokenError('link token already used');
      }
      const user = await requireLiveUser(repos.users, userId, true);
      const existing = await repos.identities.find(pending.provider, pending.subject);
      if (existing !== null && existing.userId !== user.id) {
        throw new InvalidTokenError('the identity was linked to another account meanwhile');
      }
      if (existing === null) {
        const inserted = await repos.identities.insert({
          userId: user.id,
          provider: pending.provider,
          subject: pending.subject,
          email: pending.email,
          emailVerified: pending.emailVerified,
          linkedAt: now,
        });
        if (!inserted) {
          throw new InvalidTokenError('the account has another identity of this provider');
        }
        await repos.audit.record({
          type: 'oauth.linked',
          actorId: user.id,
          targetId: user.id,
          ...context,
          data: { provider: pending.provider, via: 'link_token' },
        });
      }
      return repos.identities.listForUser(user.id);
    });
  };
