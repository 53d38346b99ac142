import { InvalidOAuthStateError } from '@latchkey/domain';
import { ResponseBodyError } from 'openid-client';

// Token endpoint errors that mean "this code does not belong to this flow": used or expired
// code, or a PKCE verifier that does not match (GitHub says bad_verification_code).
const REFUSED_GRANTS = new Set(['invalid_grant', 'bad_verification_code']);

/** @returns true when a `claim` comparison of `name` failed somewhere in the cause chain. */
const claimMismatch = (error: unknown, name: string): boolean => {
  for (
    let at: unknown = error, depth = 0;
    at !== null && typeof at === 'object' && depth < 5;
    depth++
  ) {
    if ((at as { claim?: unknown }).claim === name) return true;
    at = (at as { cause?: unknown }).cause;
  }
  return false;
};

/**
 * Sorts a failed code exchange: a response that does not belong to this flow (nonce mismatch,
 * refused code or PKCE verifier) becomes InvalidOAuthStateError; anything else (the provider is
 * down, answers nonsense, or an ID token fails its issuer, audience, expiry or signature checks)
 * is returned as is, for the caller to treat as a provider failure.
 */
export const classifyExchangeError = (error: unknown): unknown => {
  if (error instanceof ResponseBodyError && REFUSED_GRANTS.has(error.error)) {
    return new InvalidOAuthStateError('the provider refused the authorization code', {
      cause: error,
    });
  }
  if (claimMismatch(error, 'nonce')) {
    return new InvalidOAuthStateError('the ID token nonce does not match', { cause: error });
  }
  return error;
};
