import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { startEmbeddedPostgres } from '../src/embedded-postgres.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {} };

const query = async (url: string, text: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
};

t.test('data, port and password survive a restart; a running server is reused', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'latchkey-embedded-'));
  await chmod(dir, 0o755);
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const first = await startEmbeddedPostgres(dir, quiet, { port: 0, throwaway: true });
  t.teardown(() => first.stop());
  t.match(first.url, /^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/latchkey$/);
  const state = JSON.parse(await readFile(path.join(dir, 'embedded-postgres.json'), 'utf8')) as {
    port: number;
  };
  t.equal(new URL(first.url).port, String(state.port), 'the chosen port is stored');
  await query(first.url, 'create table kept (n int); insert into kept values (42)');

  const second = await startEmbeddedPostgres(dir, quiet);
  t.equal(second.url, first.url, 'reuses the running server');
  await second.stop();
  t.same(
    await query(first.url, 'select n from kept'),
    [{ n: 42 }],
    'stopping a reused server leaves it running',
  );

  await first.stop();
  await t.rejects(query(first.url, 'select 1'), 'stopped');

  const again = await startEmbeddedPostgres(dir, quiet);
  t.teardown(() => again.stop());
  t.equal(again.url, first.url, 'same port and password after a restart');
  t.same(await query(again.url, 'select n from kept'), [{ n: 42 }], 'data kept');
  await again.stop();
});
