import type { Page, User, UserDirectory, UserListQuery } from '@latchkey/domain';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database, UserRow } from './database.js';
import { decodeCursor, encodeCursor, escapeLike, timestampKey } from './keyset-cursor.js';
import { toUser } from './postgres-user-repository.js';

type ListRow = UserRow & { roles: string[]; sort_key: string };

/**
 * UserDirectory on PostgreSQL. Every sort walks an index (migrations 0001 and 0004) from the
 * cursor's position, so a page costs the same at any depth:
 * `createdAt`: (created_at, id) or (status, created_at, id); `email`: lower(email), which is
 * unique, or (status, lower(email)).
 */
export class PostgresUserDirectory implements UserDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  async list(query: UserListQuery): Promise<Page<User>> {
    const rows = (await this.listQuery(query).execute()) as ListRow[];
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > query.limit && last !== undefined
        ? encodeCursor({ sort: query.sort, key: last.sort_key, id: last.id })
        : null;
    return { items: items.map(toUser), nextCursor };
  }

  /** @returns the plan (EXPLAIN ANALYZE) of the query `list` runs, one line per element. */
  async explain(query: UserListQuery): Promise<string[]> {
    const rows = await this.listQuery(query).explain('text', sql`analyze, buffers`);
    return rows.map((row) => String(row['QUERY PLAN']));
  }

  private listQuery(query: UserListQuery) {
    const descending = query.sort.startsWith('-');
    const byEmail = query.sort.endsWith('email');
    const after = query.cursor === null ? null : decodeCursor(query.cursor, query.sort, !byEmail);
    const direction = descending ? 'desc' : 'asc';
    const beyond = descending ? sql.raw('<') : sql.raw('>');

    let select = this.db
      .selectFrom('users')
      .selectAll('users')
      .select(
        sql<
          string[]
        >`coalesce((select array_agg(ur.role_name order by ur.role_name) from user_roles ur where ur.user_id = users.id), '{}')`.as(
          'roles',
        ),
      )
      .select(
        (byEmail ? sql<string>`lower(users.email)` : timestampKey('users.created_at')).as(
          'sort_key',
        ),
      )
      .where('users.deleted_at', query.deleted ? 'is not' : 'is', null);
    select = this.filtered(select, query);
    if (after !== null) {
      select = byEmail
        ? // lower(email) is unique (users_email_lower_key): the key alone is a position.
          select.where(sql<boolean>`lower(users.email) ${beyond} ${after.key}`)
        : select.where(
            sql<boolean>`(users.created_at, users.id) ${beyond} (${after.key}::timestamptz, ${after.id}::uuid)`,
          );
    }
    select = byEmail
      ? select.orderBy(sql`lower(users.email)`, direction)
      : select.orderBy('users.created_at', direction).orderBy('users.id', direction);
    return select.limit(query.limit + 1);
  }

  private filtered<O>(
    select: SelectQueryBuilder<Database, 'users', O>,
    query: UserListQuery,
  ): SelectQueryBuilder<Database, 'users', O> {
    let q = select;
    if (query.status !== undefined) q = q.where('users.status', '=', query.status);
    if (query.role !== undefined) {
      const role = query.role;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('user_roles')
            .select(sql`1`.as('one'))
            .whereRef('user_roles.user_id', '=', 'users.id')
            .where('user_roles.role_name', '=', role),
        ),
      );
    }
    if (query.q !== undefined && query.q !== '') {
      q = q.where(
        sql<boolean>`lower(users.email) like ${`%${escapeLike(query.q.toLowerCase())}%`}`,
      );
    }
    if (query.createdFrom !== undefined) q = q.where('users.created_at', '>=', query.createdFrom);
    if (query.createdTo !== undefined) q = q.where('users.created_at', '<=', query.createdTo);
    return q;
  }
}
