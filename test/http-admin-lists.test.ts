import { sql } from 'kysely';
import t from 'tap';
import { seedSyntheticUsers } from '@latchkey/adapters-postgres';
import { bearer, member, openDatabase } from './support/admin-fixtures.js';
import { startTestServer } from './support/test-server.js';

// GET /admin/users and /admin/users/deleted: keyset pagination against SQL, and validation.
const ts = await startTestServer();
const { app } = ts;
const db = openDatabase(ts.databaseUrl);
t.teardown(async () => {
  await db.destroy();
  await ts.close();
});

const admin = await member(app, db, ['admin'], 'admin');
const support = await member(app, db, ['support'], 'support');

t.test('pagination: every sort, with and without filters, across pages, against SQL', async (t) => {
  await seedSyntheticUsers(db, {
    count: 45,
    emailPrefix: 'page',
    passwordHash: 'x',
    now: new Date(),
    spacingMs: 1000,
  });
  // Ties on created_at, to exercise the id tiebreak.
  await sql`update users set created_at = date_trunc('second', created_at) - interval '1 day' where email like 'page-00000_0@%'`.execute(
    db,
  );
  const walk = async (query: string): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const url: string = `/api/v1/admin/users?limit=7${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const res = await app.inject({ method: 'GET', url, headers: bearer(support.accessToken) });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      const body = res.json<{
        items: Array<{ id: string; deletedAt: string | null }>;
        nextCursor: string | null;
      }>();
      ids.push(...body.items.map((u) => u.id));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    return ids;
  };
  const orders = {
    createdAt: sql`created_at asc, id asc`,
    '-createdAt': sql`created_at desc, id desc`,
    email: sql`lower(email) asc`,
    '-email': sql`lower(email) desc`,
  };
  for (const [sort, order] of Object.entries(orders)) {
    for (const status of [null, 'active', 'suspended'] as const) {
      const rows = await sql<{ id: string }>`
        select id from users where deleted_at is null ${status === null ? sql`` : sql`and status = ${status}`}
        order by ${order}`.execute(db);
      const got = await walk(`&sort=${sort}${status === null ? '' : `&status=${status}`}`);
      t.same(
        got,
        rows.rows.map((r) => r.id),
        `sort=${sort} status=${status ?? '-'} (${rows.rows.length} rows)`,
      );
    }
  }
  const deleted = await sql<{
    id: string;
  }>`select id from users where deleted_at is not null order by created_at desc, id desc`.execute(
    db,
  );
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/admin/users/deleted?limit=100',
    headers: bearer(support.accessToken),
  });
  t.same(
    res.json().items.map((u: { id: string }) => u.id),
    deleted.rows.map((r) => r.id),
  );
  t.ok(res.json().items.every((u: { deletedAt: string | null }) => u.deletedAt !== null));
  t.equal(res.json().nextCursor, null);

  const filtered = await app.inject({
    method: 'GET',
    url: '/api/v1/admin/users?q=PAGE-000001&role=user&limit=100',
    headers: bearer(support.accessToken),
  });
  t.same(
    filtered
      .json()
      .items.map((u: { email: string }) => u.email)
      .sort(),
    [...Array(10).keys()].map((i) => `page-00000${i + 10}@example.com`),
    'q is a case-insensitive substring',
  );
  const from = new Date(Date.now() - 20_000).toISOString();
  const range = await app.inject({
    method: 'GET',
    url: `/api/v1/admin/users?createdFrom=${from}&limit=100`,
    headers: bearer(support.accessToken),
  });
  t.ok(range.json().items.every((u: { createdAt: string }) => u.createdAt >= from));
  t.ok(range.json().items.length > 0);
});

t.test('every query parameter is validated: 400 validation_failed', async (t) => {
  const first = await app.inject({
    method: 'GET',
    url: '/api/v1/admin/users?limit=1&sort=email',
    headers: bearer(admin.accessToken),
  });
  const emailCursor = encodeURIComponent(first.json().nextCursor as string);
  const bad = [
    'limit=0',
    'limit=101',
    'limit=abc',
    'limit=1.5',
    'limit=',
    'limit=5&limit=6',
    'cursor=!!!',
    'cursor=',
    'cursor=bm9wZQ',
    `cursor=${emailCursor}`,
    `cursor=${emailCursor}&sort=-email`,
    'status=deleted',
    'status=',
    'role=Admin!',
    'role=wizard',
    'q=',
    'createdFrom=yesterday',
    'createdFrom=2024-01-01',
    'createdTo=2024-13-01T00:00:00Z',
    'createdFrom=2024-02-01T00:00:00Z&createdTo=2024-01-01T00:00:00Z',
    'sort=name',
    'sort=-id',
    'sort=',
    'unknown=1',
  ];
  for (const query of bad) {
    for (const path of ['/api/v1/admin/users', '/api/v1/admin/users/deleted']) {
      const res = await app.inject({
        method: 'GET',
        url: `${path}?${query}`,
        headers: bearer(admin.accessToken),
      });
      t.equal(res.statusCode, 400, `${path}?${query}`);
      t.equal(res.json().code, 'validation_failed', query);
      t.match(res.json().errors?.[0]?.path ?? '', /^\/querystring/, `${query} names the parameter`);
    }
  }
  t.equal(
    (
      await app.inject({
        method: 'GET',
        url: `/api/v1/admin/users?cursor=${emailCursor}&sort=email`,
        headers: bearer(admin.accessToken),
      })
    ).statusCode,
    200,
  );
  for (const query of [
    'type=bogus',
    'actorId=nope',
    'targetId=1',
    'from=today',
    'to=2024-01-01',
    'limit=0',
    'limit=101',
    'cursor=%%',
    'cursor=WyJ4Il0',
    'foo=bar',
    'from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z',
  ]) {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/audit-events?${query}`,
      headers: bearer(admin.accessToken),
    });
    t.equal(res.statusCode, 400, `audit-events?${query}`);
    t.equal(res.json().code, 'validation_failed');
  }
});
