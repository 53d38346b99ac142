import type { Page, User, UserDirectory, UserListQuery } from '@latchkey/domain';
import { clone, type StateAccess } from './in-memory-database.js';
import { compareKeys, pageOf } from './in-memory-keyset.js';

const matches = (user: User, query: UserListQuery): boolean =>
  (user.deletedAt !== null) === query.deleted &&
  (query.status === undefined || user.status === query.status) &&
  (query.role === undefined || user.roles.includes(query.role)) &&
  (query.q === undefined || user.email.toLowerCase().includes(query.q.toLowerCase())) &&
  (query.createdFrom === undefined || user.createdAt.getTime() >= query.createdFrom.getTime()) &&
  (query.createdTo === undefined || user.createdAt.getTime() <= query.createdTo.getTime());

/** UserDirectory over the fake database: the same order and cursor rules as PostgreSQL's. */
export class InMemoryUserDirectory implements UserDirectory {
  constructor(private readonly access: StateAccess) {}

  async list(query: UserListQuery): Promise<Page<User>> {
    const descending = query.sort.startsWith('-');
    const byEmail = query.sort.endsWith('email');
    // Email keys are unique ignoring case; the id tiebreak only matters for createdAt.
    const keyOf = (user: User): [string, string] =>
      byEmail ? [user.email.toLowerCase(), ''] : [user.createdAt.toISOString(), user.id];
    const sorted = [...this.access.read().users.values()]
      .filter((user) => matches(user, query))
      .sort((a, b) => compareKeys(keyOf(a), keyOf(b)) * (descending ? -1 : 1));
    const page = pageOf(sorted, keyOf, descending, query.sort, query.cursor, query.limit);
    return { items: page.items.map(clone), nextCursor: page.nextCursor };
  }
}
