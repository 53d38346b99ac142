import type { ProviderProfile, RequestContext } from '@latchkey/domain';
import { EMAIL_MAX_LENGTH, InvalidOAuthStateError, parseEmail } from '@latchkey/domain';
import { connectIdentity, signInWithIdentity } from './provider-sign-in.js';
import { failed, type OAuthDeps, type OAuthFlow, type OAuthOutcome } from './oauth-types.js';

export interface CompleteOAuthInput {
  /** The provider named by the callback's path. */
  readonly provider: string;
  /** The flow the browser's state cookie carried (its signature already checked), or null. */
  readonly flow: OAuthFlow | null;
  /** The callback's query parameters. */
  readonly params: Readonly<Record<string, string>>;
}

const SUBJECT_MAX_LENGTH = 255;

/** @returns the profile with a usable email (or none) and a sane subject, else null. */
const cleanProfile = (profile: ProviderProfile): ProviderProfile | null => {
  if (profile.subject.length === 0 || profile.subject.length > SUBJECT_MAX_LENGTH) return null;
  let email: string | null = null;
  if (profile.email !== null && profile.email.length <= EMAIL_MAX_LENGTH) {
    try {
      email = parseEmail(profile.email);
    } catch {
      email = null;
    }
  }
  const name = profile.name?.trim().slice(0, 100) ?? '';
  return {
    subject: profile.subject,
    email,
    emailVerified: email !== null && profile.emailVerified,
    name: name.length > 0 ? name : null,
  };
};

/**
 * Handles the provider's redirect back. A missing, forged, replayed or expired state, and a nonce
 * or PKCE mismatch, throw InvalidOAuthStateError; once the state is redeemed every other failure
 * is an outcome (`failed`), never an exception, so the browser lands on the account page.
 */
export const completeOAuth =
  (deps: OAuthDeps) =>
  async (input: CompleteOAuthInput, context: RequestContext): Promise<OAuthOutcome> => {
    const { flow, params } = input;
    if (flow === null || flow.provider !== input.provider || params.state !== flow.state) {
      throw new InvalidOAuthStateError('missing or forged state');
    }
    const now = deps.clock.now();
    // Redeemed before the expiry check: a late callback burns its state too.
    const redeemed = await deps.states.consume(deps.secrets.hash(flow.state), now);
    if (!redeemed || flow.expiresAt.getTime() <= now.getTime()) {
      throw new InvalidOAuthStateError('expired or already used state');
    }
    const provider = deps.providers.get(flow.provider);
    if (provider === undefined || params.error !== undefined) {
      return failed('provider_error', params.error);
    }
    let profile: ProviderProfile | null;
    try {
      profile = cleanProfile(
        await provider.completeAuthorization({
          redirectUri: deps.oauth.callbackUrl(provider.name),
          state: flow.state,
          nonce: flow.nonce,
          codeVerifier: flow.codeVerifier,
          params,
        }),
      );
    } catch (error) {
      if (error instanceof InvalidOAuthStateError) throw error;
      return failed('provider_error', error);
    }
    if (profile === null) return failed('provider_error', 'unusable subject');
    return flow.userId === null
      ? signInWithIdentity(deps, flow, profile, context)
      : connectIdentity(deps, flow, flow.userId, profile, context);
  };
