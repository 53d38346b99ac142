import type { FastifyPluginAsync } from 'fastify';
import { InvalidRefreshTokenError } from '@latchkey/domain';
import {
  clearRefreshCookie,
  contextOf,
  refreshTokenOf,
  setRefreshCookie,
} from '../request-context.js';
import { AccessTokenResponse, LoginBody, LoginResponse, RegisterBody } from '../schemas/auth.js';
import { UserEnvelope, problems } from '../schemas/common.js';
import { HEADERS, problemResponse, withHeaders } from '../schemas/responses.js';
import type { AccountUseCases } from '../use-cases.js';
import { userView } from '../views.js';

const TAGS = ['Authentication'];

/** register, login, refresh, logout. */
export const authRoutes: FastifyPluginAsync<{ useCases: AccountUseCases }> = async (
  app,
  { useCases },
) => {
  app.post<{ Body: RegisterBody }>(
    '/register',
    {
      schema: {
        summary: 'Create an account',
        description:
          'Creates an `unverified` account and queues its verification mail. 409 `email_taken` ' +
          'also for an email held by a soft-deleted account.',
        operationId: 'register',
        tags: TAGS,
        body: RegisterBody,
        response: {
          201: withHeaders(
            { ...UserEnvelope, description: 'Created' },
            { Location: HEADERS.location },
          ),
          ...problems(400, 409, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const user = await useCases.register(request.body, contextOf(request));
      return reply
        .code(201)
        .header('location', '/api/v1/users/me')
        .send({ user: userView(user) });
    },
  );

  app.post<{ Body: LoginBody }>(
    '/login',
    {
      schema: {
        summary: 'Sign in with email and password',
        description:
          'Returns an access token and sets the `refresh_token` cookie. 401 `invalid_credentials` ' +
          'for an unknown email, a wrong or empty password or a deleted account (same body, similar ' +
          'time); 403 `account_suspended` only after a correct password; 429 `rate_limited` also ' +
          'when the email is locked after too many failures.',
        operationId: 'login',
        tags: TAGS,
        body: LoginBody,
        response: {
          200: withHeaders(
            { ...LoginResponse, description: 'Signed in' },
            { 'Set-Cookie': HEADERS.setRefreshCookie },
          ),
          ...problems(400, 401, 403, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const result = await useCases.login(request.body, contextOf(request));
      setRefreshCookie(reply, result.refresh);
      return {
        accessToken: result.accessToken,
        tokenType: 'Bearer' as const,
        expiresIn: result.expiresIn,
        user: userView(result.user),
      };
    },
  );

  app.post(
    '/refresh',
    {
      schema: {
        summary: 'Rotate the refresh token',
        description:
          'Exchanges the `refresh_token` cookie for a new access token and a rotated cookie. ' +
          'An already-rotated token revokes its family, except within `REFRESH_REUSE_GRACE` seconds.',
        operationId: 'refresh',
        tags: TAGS,
        security: [{ refreshCookie: [] }],
        response: {
          200: withHeaders(
            { ...AccessTokenResponse, description: 'A new access token; the cookie is rotated' },
            { 'Set-Cookie': HEADERS.setRefreshCookie },
          ),
          401: problemResponse(
            401,
            { 'Set-Cookie': HEADERS.clearRefreshCookie },
            '`invalid_refresh_token` (missing, unknown, expired, revoked or reused); the cookie is cleared.',
          ),
          ...problems(429, 503),
        },
      },
    },
    async (request, reply) => {
      const token = refreshTokenOf(request);
      try {
        if (token === null) throw new InvalidRefreshTokenError('no refresh token');
        const pair = await useCases.refresh(token, contextOf(request));
        setRefreshCookie(reply, pair.refresh);
        return {
          accessToken: pair.accessToken,
          tokenType: 'Bearer' as const,
          expiresIn: pair.expiresIn,
        };
      } catch (error) {
        if (error instanceof InvalidRefreshTokenError) clearRefreshCookie(reply);
        throw error;
      }
    },
  );

  app.post(
    '/logout',
    {
      schema: {
        summary: 'Sign out',
        description:
          'Revokes the session of the refresh cookie and/or bearer and clears the cookie; 204 even ' +
          'without a session or with an invalid or expired bearer (idempotent).',
        operationId: 'logout',
        tags: TAGS,
        security: [{ refreshCookie: [] }, { bearerAuth: [] }, {}],
        response: {
          204: withHeaders(
            { type: 'null', description: 'Signed out' },
            { 'Set-Cookie': HEADERS.clearRefreshCookie },
          ),
          ...problems(429, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = await app.tryAuthenticate(request);
      await useCases.logout(
        { refreshToken: refreshTokenOf(request), sessionId: principal?.sessionId ?? null },
        contextOf(request),
      );
      clearRefreshCookie(reply);
      return reply.code(204).send();
    },
  );
};
