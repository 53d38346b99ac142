import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import t from 'tap';
import type { Database } from '../src/database.js';
import { StatementCache } from '../src/statement-cache.js';

// Compiles only: no connection is ever made.
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const stamp = (id: string, at: Date) => () =>
  db.updateTable('users').set({ last_login_at: at }).where('id', '=', id);

t.test('builds a statement once, then binds each call’s parameters to its text', async (t) => {
  const cache = new StatementCache();
  let builds = 0;
  const first = new Date('2026-01-01T00:00:00Z');
  const second = new Date('2026-02-01T00:00:00Z');
  const a = cache.get('stamp', [first, 'a'], () => {
    builds += 1;
    return stamp('a', first)();
  });
  const b = cache.get('stamp', [second, 'b'], () => {
    builds += 1;
    return stamp('b', second)();
  });
  t.equal(builds, 1);
  t.equal(b.sql, a.sql);
  t.same(a.parameters, [first, 'a']);
  t.same(b.parameters, [second, 'b']);
  t.match(a.sql, /^update "users" set "last_login_at" = \$1 where "id" = \$2$/);
});

t.test('the first call refuses parameters out of the statement’s order', async (t) => {
  const cache = new StatementCache();
  const at = new Date('2026-01-01T00:00:00Z');
  t.throws(() => cache.get('stamp', ['a', at], stamp('a', at)), /statement stamp: the parameters/);
  t.throws(() => cache.get('stamp', [at], stamp('a', at)), /the parameters/, 'one missing');
  t.throws(
    () => cache.get('stamp', [new Date(at.getTime() + 1), 'a'], stamp('a', at)),
    /the parameters/,
    'another instant',
  );
  // Nothing was cached by a refused call: a right list still builds.
  t.same(cache.get('stamp', [new Date(at), 'a'], stamp('a', at)).parameters, [at, 'a']);
});

t.test('arrays are compared by element', async (t) => {
  const cache = new StatementCache();
  const roles = (names: string[]) => () =>
    db
      .selectFrom('roles')
      .select('name')
      .where(sql<boolean>`name = any(${names}::text[])`);
  t.same(cache.get('roles', [['admin', 'user']], roles(['admin', 'user'])).parameters, [
    ['admin', 'user'],
  ]);
  t.throws(() => new StatementCache().get('roles', [['user']], roles(['admin'])), /parameters/);
});

t.test('each cache keeps its own statements', async (t) => {
  const at = new Date();
  let builds = 0;
  const counted = () => {
    builds += 1;
    return stamp('a', at)();
  };
  new StatementCache().get('stamp', [at, 'a'], counted);
  new StatementCache().get('stamp', [at, 'a'], counted);
  t.equal(builds, 2);
});
