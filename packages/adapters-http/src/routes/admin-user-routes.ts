import type { UserListQuery } from '@latchkey/domain';
import { DEFAULT_PAGE_SIZE, DEFAULT_USER_SORT, ValidationError } from '@latchkey/domain';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { HttpProblem } from '../errors/problem.js';
import { adminUserView } from '../admin-views.js';
import type { AdminUseCases } from '../admin-use-cases.js';
import { requirePermission } from '../plugins/require-permission.js';
import { contextOf, principalOf } from '../request-context.js';
import {
  AdminUpdateBody,
  AdminUserEnvelope,
  AdminUserPage,
  ListUsersQuery,
} from '../schemas/admin.js';
import { IdParams, problems } from '../schemas/common.js';

const TAGS = ['Administration'];

/**
 * `/admin/users/` and `/admin/users//restore` reach the `:id` routes with an empty id: paths
 * match exactly, so that is 404 like any unknown path (before the guard and validation).
 */
const noEmptyId = async (request: FastifyRequest): Promise<void> => {
  if ((request.params as { id?: string }).id === '')
    throw new HttpProblem(404, 'not_found', 'no such route');
};
const security = [{ bearerAuth: [] }];

/** Domain validation of a query (cursor, ranges, role) names the query parameter, like Ajv's. */
export const inQuery = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(error.errors.map((e) => ({ ...e, path: `/querystring${e.path}` })));
    }
    throw error;
  }
};

const toListQuery = (query: ListUsersQuery, deleted: boolean): UserListQuery => ({
  deleted,
  limit: query.limit ?? DEFAULT_PAGE_SIZE,
  cursor: query.cursor ?? null,
  sort: query.sort ?? DEFAULT_USER_SORT,
  status: query.status,
  role: query.role,
  q: query.q,
  createdFrom: query.createdFrom === undefined ? undefined : new Date(query.createdFrom),
  createdTo: query.createdTo === undefined ? undefined : new Date(query.createdTo),
});

const LIST_DESCRIPTION =
  'Keyset pagination: pass `nextCursor` as `cursor` (with the same `sort`) for the next page; ' +
  'the last page has `nextCursor: null`. `createdFrom`/`createdTo` are inclusive. Unknown or ' +
  'malformed parameters are 400.';

/** `/admin/users…`: the administrators' view and management of accounts. */
export const adminUserRoutes: FastifyPluginAsync<{ admin: AdminUseCases }> = async (
  app,
  { admin },
) => {
  app.get<{ Querystring: ListUsersQuery }>(
    '/users',
    {
      onRequest: requirePermission('users:read'),
      schema: {
        summary: 'List live users (users:read)',
        description: LIST_DESCRIPTION,
        tags: TAGS,
        security,
        querystring: ListUsersQuery,
        response: { 200: AdminUserPage, ...problems(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const page = await inQuery(() => admin.listUsers(toListQuery(request.query, false)));
      return { items: page.items.map(adminUserView), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Querystring: ListUsersQuery }>(
    '/users/deleted',
    {
      onRequest: requirePermission('users:read'),
      schema: {
        summary: 'List soft-deleted users (users:read)',
        description: LIST_DESCRIPTION,
        tags: TAGS,
        security,
        querystring: ListUsersQuery,
        response: { 200: AdminUserPage, ...problems(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const page = await inQuery(() => admin.listUsers(toListQuery(request.query, true)));
      return { items: page.items.map(adminUserView), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: IdParams }>(
    '/users/:id',
    {
      onRequest: [noEmptyId, requirePermission('users:read')],
      schema: {
        summary: 'Read a user, soft-deleted ones too (users:read)',
        tags: TAGS,
        security,
        params: IdParams,
        response: { 200: AdminUserEnvelope, ...problems(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => ({ user: adminUserView(await admin.getUser(request.params.id)) }),
  );

  app.put<{ Params: IdParams; Body: AdminUpdateBody }>(
    '/users/:id',
    {
      onRequest: [noEmptyId, requirePermission('users:write')],
      schema: {
        summary: 'Change a user (users:write; roles:assign to change roles)',
        description:
          'An email set here applies at once, as verified (a pending change is dropped). `roles` ' +
          'replaces every role: the sessions stay, access tokens issued before fail within 1 s and ' +
          'the next refresh carries the new roles and perms. `status: suspended` revokes every ' +
          'session; `active` marks the email verified, `unverified` marks it not. The last active ' +
          'admin cannot lose `admin` or be suspended (409 last_admin). A soft-deleted user is 404 ' +
          'until restored.',
        tags: TAGS,
        security,
        params: IdParams,
        body: AdminUpdateBody,
        response: {
          200: AdminUserEnvelope,
          ...problems(400, 401, 403, 404, 409, 413, 415, 429, 503),
        },
      },
    },
    async (request) => {
      const user = await admin.updateUser(
        principalOf(request),
        request.params.id,
        request.body,
        contextOf(request),
      );
      return { user: adminUserView(user) };
    },
  );

  app.delete<{ Params: IdParams }>(
    '/users/:id',
    {
      onRequest: [noEmptyId, requirePermission('users:delete')],
      schema: {
        summary: 'Soft-delete a user and revoke its sessions (users:delete)',
        description: 'The email stays taken until the account is anonymised or restored.',
        tags: TAGS,
        security,
        params: IdParams,
        response: { 200: AdminUserEnvelope, ...problems(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request) => {
      const user = await admin.deleteUser(
        principalOf(request),
        request.params.id,
        contextOf(request),
      );
      return { user: adminUserView(user) };
    },
  );

  app.post<{ Params: IdParams }>(
    '/users/:id/restore',
    {
      onRequest: [noEmptyId, requirePermission('users:delete')],
      schema: {
        summary: 'Restore a soft-deleted user (users:delete)',
        description: 'Its sessions stay revoked: the user signs in again.',
        tags: TAGS,
        security,
        params: IdParams,
        response: { 200: AdminUserEnvelope, ...problems(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request) => {
      const user = await admin.restoreUser(
        principalOf(request),
        request.params.id,
        contextOf(request),
      );
      return { user: adminUserView(user) };
    },
  );
};
