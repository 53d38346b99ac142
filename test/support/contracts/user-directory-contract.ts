import type { User, UserListQuery, UserSort, UserStatus } from '@latchkey/domain';
import { USER_SORTS, ValidationError } from '@latchkey/domain';
import type { AdminHarness, MakeAdminHarness } from './admin-harness.js';
import type { TapTest } from './harness.js';

const STATUSES: UserStatus[] = ['active', 'unverified', 'suspended'];

/**
 * Inserts 40 users: creation times with ties (three users per millisecond step), mixed-case
 * emails, every status, some `support`, some deleted. Emails sort the same under any collation
 * (lowercase letters and digits of one shape).
 */
const seed = async (h: AdminHarness): Promise<User[]> => {
  const start = h.clock.now().getTime();
  const users: User[] = [];
  for (let i = 0; i < 40; i++) {
    const at = new Date(start + Math.floor(i / 3) * 1000);
    h.clock.set(at);
    const letter = String.fromCharCode(97 + ((i * 7) % 26));
    const local = `${letter}user${String(i).padStart(2, '0')}`;
    const user: User = {
      id: h.ids.newId(),
      pendingEmail: null,
      displayName: `User ${i}`,
      passwordHash: 'hash',
      emailVerifiedAt: at,
      lastLoginAt: null,
      email: i % 5 === 0 ? `${local.toUpperCase()}@Example.com` : `${local}@example.com`,
      status: STATUSES[i % 3] ?? 'active',
      roles: i % 4 === 0 ? ['support', 'user'] : ['user'],
      deletedAt: i % 9 === 4 ? at : null,
      createdAt: at,
      updatedAt: at,
    };
    await h.users.insert(user);
    users.push(user);
  }
  return users;
};

const keyOf = (sort: UserSort, user: User): [string, string] =>
  sort.endsWith('email') ? [user.email.toLowerCase(), ''] : [user.createdAt.toISOString(), user.id];

const expected = (
  users: readonly User[],
  query: Omit<UserListQuery, 'limit' | 'cursor'>,
): string[] => {
  const desc = query.sort.startsWith('-') ? -1 : 1;
  return users
    .filter(
      (u) =>
        (u.deletedAt !== null) === query.deleted &&
        (query.status === undefined || u.status === query.status) &&
        (query.role === undefined || u.roles.includes(query.role)) &&
        (query.q === undefined || u.email.toLowerCase().includes(query.q.toLowerCase())) &&
        (query.createdFrom === undefined || u.createdAt >= query.createdFrom) &&
        (query.createdTo === undefined || u.createdAt <= query.createdTo),
    )
    .sort((a, b) => {
      const [ka, kb] = [keyOf(query.sort, a), keyOf(query.sort, b)];
      return (
        (ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0) * desc
      );
    })
    .map((u) => u.id);
};

/** Walks every page; fails on a repeated cursor. @returns the ids in order and the page sizes. */
const walk = async (
  h: AdminHarness,
  query: Omit<UserListQuery, 'cursor'>,
): Promise<{ ids: string[]; sizes: number[] }> => {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  const seen = new Set<string>();
  do {
    const page = await h.directory.list({ ...query, cursor });
    ids.push(...page.items.map((u) => u.id));
    sizes.push(page.items.length);
    cursor = page.nextCursor;
    if (cursor !== null) {
      if (seen.has(cursor)) throw new Error('a cursor repeated');
      seen.add(cursor);
    }
  } while (cursor !== null && sizes.length < 100);
  return { ids, sizes };
};

/** What every UserDirectory must do. */
export const userDirectoryContract = (t: TapTest, makeHarness: MakeAdminHarness): Promise<void> =>
  t
    .test('UserDirectory contract', async (t) => {
      const h = await makeHarness();
      const users = await seed(h);
      const middle = users[15]!.createdAt;
      const late = users[30]!.createdAt;

      t.test(
        'pages follow each sort exactly, across pages, with and without filters',
        async (t) => {
          const filters: Array<Partial<UserListQuery>> = [
            {},
            { status: 'active' },
            { role: 'support' },
            { q: 'USER1' },
            { createdFrom: middle },
            { createdTo: middle },
            { createdFrom: middle, createdTo: late, status: 'suspended' },
            { deleted: true },
          ];
          for (const sort of USER_SORTS) {
            for (const filter of filters) {
              const query = { deleted: false, limit: 4, sort, ...filter };
              const want = expected(users, query);
              const got = await walk(h, query);
              const label = `${sort} ${JSON.stringify(filter)}`;
              t.same(got.ids, want, label);
              t.ok(
                got.sizes.slice(0, -1).every((n) => n === 4),
                `${label}: full pages until the last`,
              );
              t.ok(want.length === 0 || got.sizes.at(-1)! > 0, `${label}: no empty last page`);
            }
          }
        },
      );

      t.test('items are whole users with their roles', async (t) => {
        const page = await h.directory.list({
          deleted: false,
          limit: 100,
          cursor: null,
          sort: 'createdAt',
        });
        const first = page.items[0];
        t.same(first, users[0]);
        t.equal(page.nextCursor, null, 'a page holding the rest ends the list');
      });

      t.test('a page of exactly the remaining rows has no next cursor', async (t) => {
        const all = expected(users, { deleted: false, sort: '-createdAt' });
        const page = await h.directory.list({
          deleted: false,
          limit: all.length,
          cursor: null,
          sort: '-createdAt',
        });
        t.equal(page.items.length, all.length);
        t.equal(page.nextCursor, null);
      });

      t.test('q matches % and _ literally', async (t) => {
        for (const q of ['%', '_', 'user_0']) {
          const page = await h.directory.list({
            deleted: false,
            limit: 100,
            cursor: null,
            sort: 'email',
            q,
          });
          t.same(page.items, [], q);
        }
      });

      t.test(
        'a malformed cursor, or one of another sort, is a validation error on /cursor',
        async (t) => {
          const first = await h.directory.list({
            deleted: false,
            limit: 2,
            cursor: null,
            sort: 'email',
          });
          t.ok(first.nextCursor);
          for (const cursor of ['nope!', 'bm9wZQ', first.nextCursor!.slice(0, -3)]) {
            await t.rejects(
              h.directory.list({ deleted: false, limit: 2, cursor, sort: 'email' }),
              ValidationError,
              cursor,
            );
          }
          const other = h.directory.list({
            deleted: false,
            limit: 2,
            cursor: first.nextCursor,
            sort: '-email',
          });
          await t.rejects(other, ValidationError);
          await other.catch((error: ValidationError) => t.equal(error.errors[0]?.path, '/cursor'));
        },
      );
    })
    .then(() => undefined);
