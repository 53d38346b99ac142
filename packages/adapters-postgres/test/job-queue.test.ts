import { DEFAULT_ROLE, type User } from '@latchkey/domain';
import { sql } from 'kysely';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import {
  FakeSecretTokens,
  FixedClock,
  SequentialIds,
} from '../../../test/support/in-memory/index.js';
import {
  PostgresJobQueue,
  PostgresUnitOfWork,
  PostgresUserRepository,
  createKysely,
  createPool,
  installJobQueueSchema,
  jobQueueStatus,
  postgresAccountMail,
  retryJob,
  startJobWorker,
  unlockDeadWorkers,
  type Database,
} from '../src/index.js';

const database = await createTestDatabase();
const pool = createPool({ connectionString: database.url, max: 20 });
const db = createKysely<Database>(pool);
await installJobQueueSchema(pool);
await installJobQueueSchema(pool); // idempotent
t.teardown(async () => {
  await db.destroy();
  await database.drop();
});

const clock = new FixedClock(new Date());
const ids = new SequentialIds(clock);
const secrets = new FakeSecretTokens();
const unitOfWork = new PostgresUnitOfWork(
  db,
  postgresAccountMail({
    secrets,
    clock,
    settings: { verifyTokenTtl: 86_400, resetTokenTtl: 1800 },
  }),
  ids,
  clock,
);

let seeded = 0;
const seedUser = async (): Promise<User> => {
  seeded += 1;
  const now = clock.now();
  const user: User = {
    id: ids.newId(),
    email: `jobs${seeded}@example.com`,
    pendingEmail: null,
    displayName: null,
    status: 'unverified',
    passwordHash: null,
    roles: [DEFAULT_ROLE],
    emailVerifiedAt: null,
    lastLoginAt: null,
    deletedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await new PostgresUserRepository(db).insert(user);
  return user;
};

interface JobRow {
  id: string;
  task_identifier: string;
  payload: Record<string, unknown>;
  max_attempts: number;
}
const jobsOf = async (userId: string): Promise<JobRow[]> => {
  const { rows } = await sql<JobRow>`
    select j.id, t.identifier as task_identifier, j.payload, j.max_attempts
      from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where j.payload->>'userId' = ${userId} order by j.id`.execute(db);
  return rows;
};
const clearJobs = () => sql`delete from graphile_worker._private_jobs`.execute(db);

t.test('a job added in a rolled-back transaction never exists; a committed one does', async (t) => {
  const user = await seedUser();
  await t.rejects(
    unitOfWork.run(async (repos) => {
      await repos.mail.requestVerification(user, 'verify_account');
      throw new Error('the change failed');
    }),
    /the change failed/,
  );
  t.same(await jobsOf(user.id), [], 'rollback: no job');
  const tokens = await db
    .selectFrom('one_time_tokens')
    .selectAll()
    .where('user_id', '=', user.id)
    .execute();
  t.same(tokens, [], 'rollback: no token');

  await unitOfWork.run((repos) => repos.mail.requestVerification(user, 'verify_account'));
  const [job, ...more] = await jobsOf(user.id);
  t.same(more, []);
  t.equal(job?.task_identifier, 'send_mail');
  t.equal(job?.max_attempts, 10);
  t.match(job?.payload, { kind: 'verify_account', to: user.email, userId: user.id });
  const raw = String(job?.payload.token);
  const stored = await db
    .selectFrom('one_time_tokens')
    .selectAll()
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  t.equal(stored.token_hash, secrets.hash(raw), 'only the hash is stored');
  t.not(stored.token_hash, raw);
  await clearJobs();
});

t.test('the quota holds under concurrency (8 requests at once: 5 mails)', async (t) => {
  const user = await seedUser();
  await Promise.all(
    Array.from({ length: 8 }, () =>
      unitOfWork.run((repos) => repos.mail.requestPasswordReset(user)),
    ),
  );
  t.equal((await jobsOf(user.id)).length, 5);
  const { count } = await db
    .selectFrom('one_time_tokens')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  t.equal(Number(count), 5);
  const live = await db
    .selectFrom('one_time_tokens')
    .select('token_hash')
    .where('user_id', '=', user.id)
    .where('superseded_at', 'is', null)
    .execute();
  t.equal(live.length, 1, 'each newer token superseded the older ones');
  await clearJobs();
});

t.test('PostgresJobQueue outside a transaction commits at once', async (t) => {
  await new PostgresJobQueue(db, 3).add('password_reset_requested', { email: 'a@b.c' });
  const status = await jobQueueStatus(db);
  t.equal(status.queued, 1);
  await clearJobs();
});

t.test('jobs status lists permanently failed jobs; retry puts one back', async (t) => {
  const user = await seedUser();
  await unitOfWork.run((repos) => repos.mail.passwordChanged(user, 'changed'));
  const [job] = await jobsOf(user.id);
  await sql`update graphile_worker._private_jobs
     set attempts = max_attempts, last_error = 'Error: connect ECONNREFUSED 127.0.0.1:2525'
   where id = ${job?.id}::bigint`.execute(db);
  const status = await jobQueueStatus(db);
  t.match(status, { queued: 0, retrying: 0, running: 0, failed: 1 });
  t.match(status.failedJobs, [
    { id: job?.id, task: 'send_mail', attempts: 10, maxAttempts: 10, lastError: /ECONNREFUSED/ },
  ]);
  t.equal(await retryJob(db, String(job?.id)), true);
  t.match(await jobQueueStatus(db), { queued: 1, failed: 0, failedJobs: [] });
  t.equal(await retryJob(db, '999999999'), false, 'unknown');
  t.equal(await retryJob(db, 'abc'), false, 'not a job id');
  await clearJobs();
});

t.test('a worker runs jobs, retries failures with backoff, honours its handlers', async (t) => {
  const user = await seedUser();
  let calls = 0;
  const seen: unknown[] = [];
  const worker = await startJobWorker({
    pool,
    pollIntervalMs: 200,
    tasks: {
      send_mail: async (payload, context) => {
        calls += 1;
        seen.push([context.attempt, context.maxAttempts]);
        if (calls === 1) throw new Error('SMTP is down');
        seen.push(payload);
      },
    },
  });
  t.teardown(() => worker.stop());
  await unitOfWork.run((repos) => repos.mail.passwordChanged(user, 'changed'));
  for (let i = 0; i < 100 && calls < 2; i += 1) await new Promise((r) => setTimeout(r, 100));
  t.equal(calls, 2, 'retried after the failure (backoff ~e^1 s)');
  t.same(seen[0], [1, 10]);
  t.same(seen[1], [2, 10]);
  t.match(seen[2], { kind: 'password_changed', to: user.email });
  await worker.stop();
  t.same(await jobsOf(user.id), [], 'done jobs are deleted, with their payload');
});

t.test('jobs held by a dead worker are unlocked; a live worker keeps its own', async (t) => {
  const a = await seedUser();
  const b = await seedUser();
  await unitOfWork.run((repos) => repos.mail.passwordChanged(a, 'changed'));
  await unitOfWork.run((repos) => repos.mail.passwordChanged(b, 'changed'));
  const [deadJob] = await jobsOf(a.id);
  const [liveJob] = await jobsOf(b.id);
  await sql`insert into job_worker_heartbeats (pool_id, hostname, pid) values ('pool-live', 'h', 1)`.execute(
    db,
  );
  await sql`update graphile_worker._private_jobs set locked_at = now() - interval '5 minutes',
     locked_by = case when id = ${deadJob?.id}::bigint then 'pool-dead' else 'pool-live' end
   where id in (${deadJob?.id}::bigint, ${liveJob?.id}::bigint)`.execute(db);

  t.same(await unlockDeadWorkers(pool, 60_000), ['pool-dead']);
  const { rows } = await sql<{ id: string; locked_by: string | null }>`
    select id, locked_by from graphile_worker.jobs order by id`.execute(db);
  t.same(rows, [
    { id: deadJob?.id, locked_by: null },
    { id: liveJob?.id, locked_by: 'pool-live' },
  ]);

  // A worker starting up sweeps too, then runs what was released.
  await sql`update graphile_worker._private_jobs set locked_at = now() - interval '5 minutes',
     locked_by = 'pool-dead' where id = ${deadJob?.id}::bigint`.execute(db);
  const ran: string[] = [];
  const worker = await startJobWorker({
    pool,
    pollIntervalMs: 200,
    deadAfterMs: 60_000,
    tasks: {
      send_mail: async (payload) => void ran.push(String((payload as { userId: string }).userId)),
    },
  });
  for (let i = 0; i < 50 && ran.length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
  await worker.stop();
  t.same(ran, [a.id], "the dead worker's job ran; the live worker's did not");
  const heartbeats = await db.selectFrom('job_worker_heartbeats').select('pool_id').execute();
  t.same(
    heartbeats.map((h) => h.pool_id),
    ['pool-live'],
    'a stopped worker removes its heartbeat',
  );
  await clearJobs();
});
