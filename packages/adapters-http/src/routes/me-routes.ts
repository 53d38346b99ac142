import type { FastifyPluginAsync } from 'fastify';
import { clearRefreshCookie, contextOf, principalOf } from '../request-context.js';
import { Type } from 'typebox';
import { NotFoundError, UserGoneError } from '@latchkey/domain';
import { invalidTokenProblem } from '../plugins/authenticate.js';
import { UserEnvelope, problems } from '../schemas/common.js';
import { HEADERS, withHeaders } from '../schemas/responses.js';
import {
  ChangePasswordBody,
  DeletedResponse,
  SessionsResponse,
  UpdateMeBody,
} from '../schemas/me.js';
import type { AccountUseCases } from '../use-cases.js';
import { sessionView, userView } from '../views.js';

const TAGS = ['Current user'];
const security = [{ bearerAuth: [] }];

/** The signed-in user's own account, password and sessions. */
export const meRoutes: FastifyPluginAsync<{ useCases: AccountUseCases }> = async (
  app,
  { useCases },
) => {
  app.addHook('preHandler', app.authenticate);
  // A token may outlive its deleted account by the session cache time: answer as for a dead token.
  app.setErrorHandler((error) => {
    throw error instanceof UserGoneError ? invalidTokenProblem() : error;
  });

  app.get(
    '/users/me',
    {
      schema: {
        summary: 'The signed-in user',
        tags: TAGS,
        security,
        response: { 200: UserEnvelope, ...problems(401, 404, 429, 503) },
      },
    },
    async (request) => ({ user: userView(await useCases.getProfile(principalOf(request).userId)) }),
  );

  app.put<{ Body: UpdateMeBody }>(
    '/users/me',
    {
      schema: {
        summary: 'Update the profile',
        description:
          'A new email goes to `pendingEmail` and gets a verification mail; it needs `currentPassword` ' +
          'when the account has a password.',
        tags: TAGS,
        security,
        body: UpdateMeBody,
        response: { 200: UserEnvelope, ...problems(400, 401, 403, 409, 413, 415, 429, 503) },
      },
    },
    async (request) => {
      const user = await useCases.updateProfile(
        principalOf(request).userId,
        request.body,
        contextOf(request),
      );
      return { user: userView(user) };
    },
  );

  app.delete(
    '/users/me',
    {
      schema: {
        summary: 'Delete the account (soft delete)',
        tags: TAGS,
        security,
        response: {
          200: withHeaders(
            { ...DeletedResponse, description: 'Deleted; every session revoked' },
            { 'Set-Cookie': HEADERS.clearRefreshCookie },
          ),
          ...problems(401, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const user = await useCases.deleteAccount(principalOf(request).userId, contextOf(request));
      clearRefreshCookie(reply);
      return {
        status: 'deleted' as const,
        deletedAt: (user.deletedAt ?? new Date()).toISOString(),
      };
    },
  );

  app.post<{ Body: ChangePasswordBody }>(
    '/users/me/password',
    {
      schema: {
        summary: 'Change the password',
        description: 'Every other session is revoked; the current one stays.',
        tags: TAGS,
        security,
        body: ChangePasswordBody,
        response: {
          204: { type: 'null', description: 'Password changed' },
          ...problems(400, 401, 403, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await useCases.changePassword(
        principal.userId,
        principal.sessionId,
        request.body,
        contextOf(request),
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/users/me/sessions',
    {
      schema: {
        summary: 'Active sessions',
        tags: TAGS,
        security,
        response: { 200: SessionsResponse, ...problems(401, 429, 503) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const sessions = await useCases.listSessions(principal.userId, principal.sessionId);
      return { items: sessions.map(sessionView) };
    },
  );

  // The contract answers 404 (not 400) for a session id that is not a UUID.
  const SessionParams = Type.Object(
    { id: Type.String({ maxLength: 128 }) },
    { additionalProperties: false },
  );
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  app.delete<{ Params: { id: string } }>(
    '/users/me/sessions/:id',
    {
      schema: {
        summary: 'Revoke a session',
        tags: TAGS,
        security,
        params: SessionParams,
        response: {
          204: { type: 'null', description: 'Revoked' },
          ...problems(401, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      if (!UUID.test(request.params.id)) throw new NotFoundError('session not found');
      await useCases.revokeSession(
        principalOf(request).userId,
        request.params.id,
        contextOf(request),
      );
      return reply.code(204).send();
    },
  );
};
