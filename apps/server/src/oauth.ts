import { hkdfSync } from 'node:crypto';
import {
  beginOAuth,
  completeOAuth,
  linkProvider,
  listProviders,
  unlinkProvider,
  type AccountDeps,
  type OAuthDeps,
} from '@latchkey/application';
import type { AuthProviderName, IdentityProvider } from '@latchkey/domain';
import type { OAuthHttpOptions } from '@latchkey/adapters-http';
import { GitHubProvider, OpenIdConnectProvider, googleProvider } from '@latchkey/adapters-oidc';
import { PostgresOAuthStateStore, type Database } from '@latchkey/adapters-postgres';
import type { Kysely } from 'kysely';
import type { Config } from './config/index.js';

/** Seconds an authorization request may take (the `oauth_state` cookie's Max-Age). */
export const OAUTH_STATE_TTL = 600;
/** Seconds a link token (password-proven linking) stays redeemable. */
export const OAUTH_LINK_TOKEN_TTL = 900;

/** @returns the configured providers: one whose client id and secret are unset does not exist. */
export const configuredProviders = (
  oauth: Config['oauth'],
): Map<AuthProviderName, IdentityProvider> => {
  const providers = new Map<AuthProviderName, IdentityProvider>();
  if (oauth.google) providers.set('google', googleProvider(oauth.google));
  if (oauth.github) providers.set('github', new GitHubProvider(oauth.github));
  if (oauth.oidc) providers.set('oidc', new OpenIdConnectProvider({ name: 'oidc', ...oauth.oidc }));
  return providers;
};

/**
 * The HMAC key of the `oauth_state` cookie, derived from KEY_ENCRYPTION_KEY: the same on every
 * instance, and never the key itself.
 */
export const oauthCookieSecret = (kek: Buffer): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', kek, 'latchkey', 'oauth_state cookie v1', 32));

/** Social login: the providers of the configuration, over the account dependencies. */
export const composeOAuth = (options: {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly kek: Buffer;
  readonly deps: AccountDeps;
}): OAuthHttpOptions => {
  const { config } = options;
  const providers = configuredProviders(config.oauth);
  const deps: OAuthDeps = {
    ...options.deps,
    providers,
    states: new PostgresOAuthStateStore(options.db),
    oauth: {
      stateTtl: OAUTH_STATE_TTL,
      linkTokenTtl: OAUTH_LINK_TOKEN_TTL,
      redirectOrigins: config.oauthRedirectOrigins,
      callbackUrl: (provider) => `${config.publicUrl}/api/v1/oauth/${provider}/callback`,
    },
  };
  return {
    useCases: {
      providers: [...providers.keys()],
      begin: beginOAuth(deps),
      complete: completeOAuth(deps),
      link: linkProvider(deps),
      list: listProviders(deps),
      unlink: unlinkProvider(deps),
    },
    cookieSecret: oauthCookieSecret(options.kek),
    stateTtl: OAUTH_STATE_TTL,
  };
};
