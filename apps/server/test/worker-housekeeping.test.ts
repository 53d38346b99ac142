import { randomUUID } from 'node:crypto';
import { createPool } from '@latchkey/adapters-postgres';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { loadConfig } from '../src/config/index.js';
import { startWorker } from '../src/worker.js';

// The housekeeping runs from graphile-worker's cron: scheduled every minute here, it fires at
// the next minute boundary, so this file takes up to about a minute.
const database = await createTestDatabase();
const db = createPool({ connectionString: database.url, max: 2 });
t.teardown(async () => {
  await db.end();
  await database.drop();
});

const insertUser = async (email: string, deletedDaysAgo: number | null): Promise<string> => {
  const id = randomUUID();
  await db.query(
    `insert into users (id, email, password_hash, status, display_name, deleted_at)
     values ($1, $2, 'hash', 'active', 'Name', case when $3::int is null then null else now() - make_interval(days => $3::int) end)`,
    [id, email, deletedDaysAgo],
  );
  return id;
};

t.test('cron: expired tokens and sessions purged, old deleted accounts anonymised', async (t) => {
  const keep = await insertUser('keep@example.com', null);
  const recent = await insertUser('recent@example.com', 5);
  const old = await insertUser('old@example.com', 8);
  await db.query(
    `insert into one_time_tokens (token_hash, user_id, purpose, expires_at) values
       ('expired', $1, 'password_reset', now() - interval '1 minute'),
       ('live', $1, 'password_reset', now() + interval '1 hour')`,
    [keep],
  );
  await db.query(
    `insert into sessions (id, user_id, expires_at, tokens_valid_from, ip) values
       ($2, $1, now() - interval '1 minute', now(), '192.0.2.1'),
       ($3, $1, now() + interval '1 day', now(), '192.0.2.1'),
       ($4, $5, now() + interval '1 day', now(), '192.0.2.9')`,
    [keep, randomUUID(), randomUUID(), randomUUID(), old],
  );

  const config = loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: database.url,
    DELETED_RETENTION_DAYS: '7',
  });
  const worker = await startWorker({
    config,
    databaseUrl: database.url,
    schedule: [
      { task: 'purge_expired', match: '* * * * *' },
      { task: 'anonymise_deleted', match: '* * * * *' },
    ],
  });
  t.teardown(() => worker.stop());

  const deadline = Date.now() + 75_000;
  let done = false;
  while (!done && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { rows } = await db.query<{ tokens: number; email: string }>(
      `select (select count(*)::int from one_time_tokens) as tokens,
              (select email from users where id = $1) as email`,
      [old],
    );
    done = rows[0]?.tokens === 1 && rows[0].email === `deleted+${old}@invalid`;
  }
  t.ok(done, 'both jobs ran within a minute and a bit');
  const tokens = await db.query<{ token_hash: string }>('select token_hash from one_time_tokens');
  t.same(tokens.rows, [{ token_hash: 'live' }]);
  const sessions = await db.query<{ user_id: string }>(
    'select user_id from sessions order by user_id',
  );
  t.same(sessions.rows, [{ user_id: keep }], "expired and anonymised accounts' sessions gone");
  const users = await db.query<{
    id: string;
    email: string;
    display_name: string | null;
    password_hash: string | null;
  }>('select id, email, display_name, password_hash from users');
  const byId = new Map(users.rows.map((row) => [row.id, row]));
  t.same(byId.get(old), {
    id: old,
    email: `deleted+${old}@invalid`,
    display_name: null,
    password_hash: null,
  });
  t.equal(byId.get(recent)?.email, 'recent@example.com', 'within DELETED_RETENTION_DAYS: kept');
  t.equal(byId.get(keep)?.email, 'keep@example.com');
});
