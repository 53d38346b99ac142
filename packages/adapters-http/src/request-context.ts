import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, RefreshGrant } from '@latchkey/application';
import type { RequestContext } from '@latchkey/domain';

export const REFRESH_COOKIE = 'refresh_token';
const COOKIE_PATH = '/api/v1';

/** Who is asking and from where, for audit events and sessions. */
export const contextOf = (request: FastifyRequest): RequestContext => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'] ?? null,
});

/** @returns the principal set by `app.authenticate` (the route must use it as preHandler). */
export const principalOf = (request: FastifyRequest): Principal => {
  if (request.principal === null) throw new Error('route is missing the authenticate preHandler');
  return request.principal;
};

export const setRefreshCookie = (reply: FastifyReply, grant: RefreshGrant): void => {
  void reply.setCookie(REFRESH_COOKIE, grant.token, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: COOKIE_PATH,
    maxAge: grant.maxAge,
  });
};

export const clearRefreshCookie = (reply: FastifyReply): void => {
  void reply.clearCookie(REFRESH_COOKIE, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: COOKIE_PATH,
  });
};

/** @returns the refresh token from the cookie, or null. */
export const refreshTokenOf = (request: FastifyRequest): string | null => {
  const value = request.cookies[REFRESH_COOKIE];
  return typeof value === 'string' && value.length > 0 && value.length <= 512 ? value : null;
};
