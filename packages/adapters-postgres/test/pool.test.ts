import net from 'node:net';
import { sql } from 'kysely';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import {
  createKysely,
  createPool,
  isDatabaseUnavailableError,
  pingDatabase,
  prepared,
} from '../src/pool.js';

t.test('createPool applies the timeouts and name to every connection', async (t) => {
  const database = await createTestDatabase({ migrate: false });
  const pool = createPool({
    connectionString: database.url,
    max: 3,
    statementTimeoutMs: 1234,
    applicationName: 'lk-pool-test',
  });
  const db = createKysely<unknown>(pool);
  t.teardown(async () => {
    await db.destroy();
    await database.drop();
  });
  t.equal(pool.options.max, 3);
  t.equal(pool.options.idleTimeoutMillis, 10_000);
  t.equal(pool.options.maxLifetimeSeconds, 300);
  const { rows } = await sql<{
    timeout: string;
    app: string;
  }>`select current_setting('statement_timeout') as timeout, current_setting('application_name') as app`.execute(
    db,
  );
  t.same(rows[0], { timeout: '1234ms', app: 'lk-pool-test' });
  t.equal(await pingDatabase(db, 1000), true);
  await t.rejects(
    sql`select pg_sleep(5)`.execute(db),
    { code: '57014' },
    'statement_timeout cancels slow queries',
  );
});

t.test('statements marked prepared() are parsed once per connection, others never', async (t) => {
  const database = await createTestDatabase({ migrate: false });
  const on = createKysely<unknown>(createPool({ connectionString: database.url, max: 1 }));
  const off = createKysely<unknown>(
    createPool({ connectionString: database.url, max: 1, preparedStatements: false }),
  );
  t.teardown(async () => {
    await on.destroy();
    await off.destroy();
    await database.drop();
  });
  const hot = prepared(sql<{ n: number }>`select ${41}::int + 1 as n`.compile(on));
  const cold = sql<{ n: number }>`select ${1}::int + 2 as n`.compile(on);
  const preparedHere = async (db: typeof on): Promise<string[]> =>
    (
      await sql<{
        statement: string;
      }>`select statement from pg_prepared_statements order by statement`.execute(db)
    ).rows.map((r) => r.statement);

  for (let i = 0; i < 3; i += 1) {
    t.same((await on.executeQuery(hot)).rows, [{ n: 42 }]);
    t.same((await on.executeQuery({ ...hot, parameters: [i] })).rows, [{ n: i + 1 }]);
  }
  t.same((await on.executeQuery(cold)).rows, [{ n: 3 }]);
  t.same(await preparedHere(on), [hot.sql], 'one named statement, reused; the other unnamed');

  t.same((await off.executeQuery(hot)).rows, [{ n: 42 }]);
  t.same(await preparedHere(off), [], 'preparedStatements: false sends every query unnamed');

  // A transaction's statements run on its connection, prepared as well.
  const inTransaction = await on.transaction().execute((trx) => trx.executeQuery(hot));
  t.same(inTransaction.rows, [{ n: 42 }]);
});

t.test('pingDatabase answers false within its timeout when the database hangs', async (t) => {
  // Accepts connections and never answers, like a stalled server.
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const db = createKysely<unknown>(
    createPool({ connectionString: `postgres://x@127.0.0.1:${port}/x`, connectTimeoutMs: 5000 }),
  );
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await db.destroy().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  });
  const started = Date.now();
  t.equal(await pingDatabase(db, 200), false);
  t.ok(Date.now() - started < 1000, 'within the timeout, not the pool connect timeout');
});

t.test('pingDatabase answers false when the database refuses', async (t) => {
  const db = createKysely<unknown>(createPool({ connectionString: 'postgres://x@127.0.0.1:1/x' }));
  t.teardown(() => db.destroy());
  t.equal(await pingDatabase(db, 2000), false);
  const err = await sql`select 1`.execute(db).catch((e: unknown) => e);
  t.ok(isDatabaseUnavailableError(err), 'ECONNREFUSED is unavailability');
});

t.test('isDatabaseUnavailableError', async (t) => {
  const yes: unknown[] = [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    new Error('timeout exceeded when trying to connect'),
    new Error('Connection terminated unexpectedly'),
    Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    }),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    Object.assign(new Error('connection failure'), { code: '08006' }),
    new AggregateError([Object.assign(new Error(''), { code: 'ECONNREFUSED' })], ''),
    new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '08001' }) }),
  ];
  const no: unknown[] = [
    Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    Object.assign(new Error('syntax error'), { code: '42601' }),
    new Error('boom'),
    'ECONNREFUSED',
    null,
    undefined,
  ];
  for (const err of yes)
    t.ok(isDatabaseUnavailableError(err), String((err as Error).message || (err as Error).name));
  for (const err of no)
    t.notOk(isDatabaseUnavailableError(err), String(err instanceof Error ? err.message : err));
});
