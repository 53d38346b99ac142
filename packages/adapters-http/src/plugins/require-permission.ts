import type { FastifyRequest } from 'fastify';
import type { Permission } from '@latchkey/domain';
import { ForbiddenError, can } from '@latchkey/domain';

/**
 * A route guard (use it as `onRequest`, so nothing is parsed or validated for a caller who may
 * not call the route): a valid bearer token is required (401 `unauthorized`/`invalid_token`,
 * from `app.authenticate`), and its `perms` claim must hold every one of `permissions`
 * (403 `forbidden`). Sets `request.principal`.
 */
export const requirePermission =
  (...permissions: Permission[]) =>
  async (request: FastifyRequest): Promise<void> => {
    await request.server.authenticate(request);
    const principal = request.principal;
    const missing = permissions.filter(
      (permission) => principal === null || !can(principal, permission),
    );
    if (missing.length > 0)
      throw new ForbiddenError(`requires the ${missing.join(', ')} permission`);
  };
