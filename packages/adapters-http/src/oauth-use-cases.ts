import type {
  beginOAuth,
  completeOAuth,
  linkProvider,
  listProviders,
  unlinkProvider,
} from '@latchkey/application';
import type { AuthProviderName } from '@latchkey/domain';

/** The social login use cases the routes call, built by the composition root. */
export interface OAuthUseCases {
  /** The configured providers, in display order. */
  readonly providers: readonly AuthProviderName[];
  readonly begin: ReturnType<typeof beginOAuth>;
  readonly complete: ReturnType<typeof completeOAuth>;
  readonly link: ReturnType<typeof linkProvider>;
  readonly list: ReturnType<typeof listProviders>;
  readonly unlink: ReturnType<typeof unlinkProvider>;
}

/** Social login over HTTP. */
export interface OAuthHttpOptions {
  readonly useCases: OAuthUseCases;
  /** HMAC key of the `oauth_state` cookie (at least 32 bytes, the same on every instance). */
  readonly cookieSecret: Uint8Array;
  /** Seconds an authorization request may take: the cookie's Max-Age. */
  readonly stateTtl: number;
}
