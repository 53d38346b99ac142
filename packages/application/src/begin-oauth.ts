import type { AuthProviderName, UserId } from '@latchkey/domain';
import { NotFoundError, ValidationError, safeRedirectTarget } from '@latchkey/domain';
import { requireLiveUser } from './current-user.js';
import type { OAuthDeps, OAuthFlow } from './oauth-types.js';

/** Where the browser lands after a sign-in or connect when no `redirectTo` was given. */
export const DEFAULT_REDIRECT = '/account';

export interface BeginOAuthInput {
  readonly provider: string;
  readonly redirectTo?: string | undefined;
  /** The signed-in user, for a connect; absent for a sign-in. */
  readonly userId?: UserId | undefined;
}

/** A started authorization request: where to send the browser, and what to bind to it. */
export interface BegunOAuth {
  readonly authorizeUrl: string;
  readonly flow: OAuthFlow;
}

/** @returns the configured provider, or throws NotFoundError (unknown or unconfigured). */
export const requireProvider = (deps: Pick<OAuthDeps, 'providers'>, name: string) => {
  const provider = deps.providers.get(name as AuthProviderName);
  if (provider === undefined) throw new NotFoundError('unknown provider');
  return provider;
};

/**
 * Starts the authorization code flow (PKCE S256, state, nonce) for a sign-in, or for a connect
 * of the signed-in user. The state is remembered so that it can be redeemed once.
 */
export const beginOAuth =
  (deps: Pick<OAuthDeps, 'providers' | 'states' | 'secrets' | 'clock' | 'oauth' | 'users'>) =>
  async (input: BeginOAuthInput): Promise<BegunOAuth> => {
    const provider = requireProvider(deps, input.provider);
    const redirectTo =
      input.redirectTo === undefined
        ? DEFAULT_REDIRECT
        : safeRedirectTarget(input.redirectTo, deps.oauth.redirectOrigins);
    if (redirectTo === null) {
      throw new ValidationError([
        {
          path: '/redirectTo',
          message: 'must be a relative path or an allowed origin',
        },
      ]);
    }
    if (input.userId !== undefined) await requireLiveUser(deps.users, input.userId);
    const flow: OAuthFlow = {
      provider: provider.name,
      state: deps.secrets.generate(),
      nonce: deps.secrets.generate(),
      codeVerifier: deps.secrets.generate(),
      redirectTo,
      userId: input.userId ?? null,
      expiresAt: new Date(deps.clock.now().getTime() + deps.oauth.stateTtl * 1000),
    };
    const authorizeUrl = await provider.authorizationUrl({
      redirectUri: deps.oauth.callbackUrl(provider.name),
      state: flow.state,
      nonce: flow.nonce,
      codeVerifier: flow.codeVerifier,
    });
    await deps.states.save(deps.secrets.hash(flow.state), flow.expiresAt);
    return { authorizeUrl, flow };
  };
