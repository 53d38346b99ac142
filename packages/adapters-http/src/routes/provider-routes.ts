import type { FastifyPluginAsync } from 'fastify';
import { UserGoneError } from '@latchkey/domain';
import type { OAuthUseCases } from '../oauth-use-cases.js';
import { invalidTokenProblem } from '../plugins/authenticate.js';
import { contextOf, principalOf } from '../request-context.js';
import { problems } from '../schemas/common.js';
import { ProviderParams, ProvidersResponse } from '../schemas/oauth.js';
import { identityView } from './oauth-routes.js';

const TAGS = ['Current user'];
const security = [{ bearerAuth: [] }];

/** The signed-in user's connected providers. */
export const providerRoutes: FastifyPluginAsync<{ useCases: OAuthUseCases }> = async (
  app,
  { useCases },
) => {
  app.addHook('preHandler', app.authenticate);
  // As in meRoutes: a token that outlived its deleted account is a dead token.
  app.setErrorHandler((error) => {
    throw error instanceof UserGoneError ? invalidTokenProblem() : error;
  });

  app.get(
    '/users/me/providers',
    {
      schema: {
        summary: 'Connected sign-in providers',
        tags: TAGS,
        security,
        response: { 200: ProvidersResponse, ...problems(401, 429, 503) },
      },
    },
    async (request) => {
      const identities = await useCases.list(principalOf(request).userId);
      return { items: identities.map(identityView) };
    },
  );

  app.delete<{ Params: ProviderParams }>(
    '/users/me/providers/:provider',
    {
      schema: {
        summary: 'Disconnect a provider',
        description:
          '409 `last_login_method` when the account would have no password and no other provider left.',
        tags: TAGS,
        security,
        params: ProviderParams,
        response: {
          204: { type: 'null', description: 'Disconnected' },
          ...problems(401, 404, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      await useCases.unlink(
        principalOf(request).userId,
        request.params.provider,
        contextOf(request),
      );
      return reply.code(204).send();
    },
  );
};
