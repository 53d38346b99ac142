import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { OAuthOutcome } from '@latchkey/application';
import {
  InvalidOAuthStateError,
  NotFoundError,
  UserGoneError,
  type ProviderIdentity,
} from '@latchkey/domain';
import type { OAuthHttpOptions } from '../oauth-use-cases.js';
import { clearStateCookie, flowOf, setStateCookie } from '../oauth-state-cookie.js';
import { invalidTokenProblem } from '../plugins/authenticate.js';
import { contextOf, principalOf, setRefreshCookie } from '../request-context.js';
import { problems } from '../schemas/common.js';
import {
  AuthorizeQuery,
  AuthorizeUrlResponse,
  ConfiguredProvidersResponse,
  ConnectBody,
  LinkBody,
  ProviderParams,
  ProvidersResponse,
} from '../schemas/oauth.js';

const TAGS = ['Social login'];
const security = [{ bearerAuth: [] }];
/** Parameters a provider must send at most once (RFC 6749 §3.1). */
const SINGLE = new Set(['code', 'state', 'iss', 'error']);

export const identityView = (identity: ProviderIdentity) => ({
  provider: identity.provider,
  email: identity.email,
  linkedAt: identity.linkedAt.toISOString(),
});

/** @returns the callback's query as single strings; a repeated protocol parameter is forged. */
const callbackParams = (query: unknown): Record<string, string> => {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) {
      if (SINGLE.has(key)) throw new InvalidOAuthStateError(`repeated ${key} parameter`);
      if (typeof value[0] === 'string') params[key] = value[0];
    } else if (typeof value === 'string') {
      params[key] = value;
    }
  }
  return params;
};

const accountUrl = (params: Record<string, string>): string =>
  `/account?${new URLSearchParams(params).toString()}`;

/**
 * Social login: authorize, callback, connect, link, and the list of configured providers.
 * Every failure after a valid state redirects to the account page (`/account?error=<code>`).
 */
export const oauthRoutes: FastifyPluginAsync<OAuthHttpOptions> = async (app, options) => {
  const { useCases, cookieSecret, stateTtl } = options;
  // As in meRoutes: a bearer that outlived its deleted account (connect, link) is a dead token.
  app.setErrorHandler((error) => {
    throw error instanceof UserGoneError ? invalidTokenProblem() : error;
  });
  const requireConfigured = (provider: string): void => {
    if (!(useCases.providers as readonly string[]).includes(provider)) {
      throw new NotFoundError('unknown provider');
    }
  };

  const finish = (reply: FastifyReply, outcome: OAuthOutcome): FastifyReply => {
    switch (outcome.kind) {
      case 'signed_in':
        setRefreshCookie(reply, outcome.tokens.refresh);
        return reply.redirect(outcome.redirectTo, 302);
      case 'connected':
        return reply.redirect(outcome.redirectTo, 302);
      case 'link_required':
        return reply.redirect(
          accountUrl({ link: outcome.linkToken, provider: outcome.provider }),
          302,
        );
      case 'failed':
        reply.log.warn({ err: outcome.cause, failure: outcome.failure }, 'social login failed');
        return reply.redirect(accountUrl({ error: outcome.failure }), 302);
    }
  };

  app.get(
    '/oauth/providers',
    {
      schema: {
        summary: 'Configured sign-in providers',
        description: 'The providers whose client id and secret are configured (for sign-in pages).',
        tags: TAGS,
        response: { 200: ConfiguredProvidersResponse, ...problems(429, 503) },
      },
    },
    async () => ({ items: useCases.providers.map((name) => ({ name })) }),
  );

  app.get<{ Params: ProviderParams; Querystring: AuthorizeQuery }>(
    '/oauth/:provider/authorize',
    {
      schema: {
        summary: 'Start a sign-in with a provider',
        description:
          'Redirects (302) to the provider: authorization code with PKCE (S256), `state` and ' +
          '`nonce`, bound to the browser by the signed `oauth_state` cookie (HttpOnly, Secure, ' +
          'SameSite=Lax, Path=/api/v1/oauth, Max-Age=600), valid for one callback.',
        tags: TAGS,
        params: ProviderParams,
        querystring: AuthorizeQuery,
        response: {
          302: { type: 'null', description: 'To the provider' },
          ...problems(400, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      requireConfigured(request.params.provider);
      const begun = await useCases.begin({
        provider: request.params.provider,
        redirectTo: request.query.redirectTo,
      });
      setStateCookie(reply, cookieSecret, begun.flow, stateTtl);
      return reply.redirect(begun.authorizeUrl, 302);
    },
  );

  app.get<{ Params: ProviderParams }>(
    '/oauth/:provider/callback',
    {
      schema: {
        summary: "The provider's redirect back",
        description:
          'Redirects (302) to `redirectTo` with the refresh cookie (a sign-in, or a new account), ' +
          'to `redirectTo` without a new cookie after a connect, to `/account?link=<token>&provider=<p>` ' +
          'when the account must be linked by password first, or to `/account?error=<code>`: ' +
          '`identity_in_use` (a connect found the identity on another account), ' +
          '`provider_already_linked` (the account has another identity of that provider), ' +
          '`account_suspended`, `account_unavailable` (deleted), `provider_error`. Extra query ' +
          'parameters that providers add are accepted.',
        tags: TAGS,
        params: ProviderParams,
        response: {
          302: { type: 'null', description: 'Back to the client' },
          ...problems(400, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      requireConfigured(request.params.provider);
      clearStateCookie(reply);
      const outcome = await useCases.complete(
        {
          provider: request.params.provider,
          flow: flowOf(request, cookieSecret),
          params: callbackParams(request.query),
        },
        contextOf(request),
      );
      return finish(reply, outcome);
    },
  );

  app.post<{ Params: ProviderParams; Body: ConnectBody }>(
    '/oauth/:provider/connect',
    {
      // Before the body is validated: no token is 401 whatever the body.
      onRequest: app.authenticate,
      // The body is optional: none is `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: 'Connect a provider to the signed-in account',
        description:
          'Sets the `oauth_state` cookie, bound to the signed-in user, and returns the URL to send ' +
          'the browser to; the callback then links the identity to this account.',
        tags: TAGS,
        security,
        params: ProviderParams,
        body: ConnectBody,
        response: { 200: AuthorizeUrlResponse, ...problems(400, 401, 404, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      requireConfigured(request.params.provider);
      const begun = await useCases.begin({
        provider: request.params.provider,
        redirectTo: request.body.redirectTo,
        userId: principalOf(request).userId,
      });
      setStateCookie(reply, cookieSecret, begun.flow, stateTtl);
      return { authorizeUrl: begun.authorizeUrl };
    },
  );

  app.post<{ Body: LinkBody }>(
    '/oauth/link',
    {
      preHandler: app.authenticate,
      schema: {
        summary: 'Link a provider identity after proving the password',
        description:
          'Redeems, once, the link token the callback gave when the provider did not verify the ' +
          'email: the signed-in caller must be the account it names.',
        tags: TAGS,
        security,
        body: LinkBody,
        response: { 200: ProvidersResponse, ...problems(400, 401, 403, 413, 415, 429, 503) },
      },
    },
    async (request) => {
      const identities = await useCases.link(
        principalOf(request).userId,
        request.body.linkToken,
        contextOf(request),
      );
      return { items: identities.map(identityView) };
    },
  );
};
