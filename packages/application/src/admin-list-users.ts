import type { Page, UserListQuery } from '@latchkey/domain';
import { ValidationError } from '@latchkey/domain';
import { assertKnownRoles, toAdminUser, type AdminDeps, type AdminUser } from './admin-deps.js';

/** @throws ValidationError when `from` is after `to` (path `to`). */
export const assertOrderedRange = (
  from: Date | undefined,
  to: Date | undefined,
  path: string,
): void => {
  if (from !== undefined && to !== undefined && from.getTime() > to.getTime()) {
    throw new ValidationError([{ path, message: 'must not be before the start of the range' }]);
  }
};

/**
 * Lists users for administrators: live ones, or soft-deleted ones (`query.deleted`), filtered,
 * sorted and keyset-paginated. An unknown `role` filter is a validation error.
 */
export const adminListUsers =
  (deps: Pick<AdminDeps, 'directory' | 'roles'>) =>
  async (query: UserListQuery): Promise<Page<AdminUser>> => {
    assertOrderedRange(query.createdFrom, query.createdTo, '/createdTo');
    const catalogue = await deps.roles.list();
    if (query.role !== undefined) assertKnownRoles([query.role], catalogue, '/role');
    const page = await deps.directory.list(query);
    return {
      items: page.items.map((user) => toAdminUser(user, catalogue)),
      nextCursor: page.nextCursor,
    };
  };
