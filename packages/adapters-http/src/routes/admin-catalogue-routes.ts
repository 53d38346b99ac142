import { DEFAULT_PAGE_SIZE } from '@latchkey/domain';
import type { FastifyPluginAsync } from 'fastify';
import { auditEventView } from '../admin-views.js';
import type { AdminUseCases } from '../admin-use-cases.js';
import { requirePermission } from '../plugins/require-permission.js';
import { AuditEventPage, AuditQuery, RolesResponse } from '../schemas/admin.js';
import { problems } from '../schemas/common.js';
import { inQuery } from './admin-user-routes.js';

const TAGS = ['Administration'];
const security = [{ bearerAuth: [] }];

/** `/admin/roles` and `/admin/audit-events`. */
export const adminCatalogueRoutes: FastifyPluginAsync<{ admin: AdminUseCases }> = async (
  app,
  { admin },
) => {
  app.get(
    '/roles',
    {
      onRequest: requirePermission('roles:read'),
      schema: {
        summary: 'The roles and their permissions (roles:read)',
        tags: TAGS,
        security,
        response: { 200: RolesResponse, ...problems(401, 403, 429, 503) },
      },
    },
    async () => {
      const roles = await admin.listRoles();
      return {
        items: roles.map((role) => ({
          name: role.name,
          description: role.description,
          permissions: [...role.permissions],
        })),
      };
    },
  );

  app.get<{ Querystring: AuditQuery }>(
    '/audit-events',
    {
      onRequest: requirePermission('audit:read'),
      schema: {
        summary: 'The audit trail, newest first (audit:read)',
        description:
          'Filters combine with AND; `from`/`to` are inclusive. Keyset pagination: pass ' +
          '`nextCursor` as `cursor`; the last page has `nextCursor: null`.',
        tags: TAGS,
        security,
        querystring: AuditQuery,
        response: { 200: AuditEventPage, ...problems(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await inQuery(() =>
        admin.listAuditEvents({
          limit: q.limit ?? DEFAULT_PAGE_SIZE,
          cursor: q.cursor ?? null,
          type: q.type,
          actorId: q.actorId,
          targetId: q.targetId,
          from: q.from === undefined ? undefined : new Date(q.from),
          to: q.to === undefined ? undefined : new Date(q.to),
        }),
      );
      return { items: page.items.map(auditEventView), nextCursor: page.nextCursor };
    },
  );
};
