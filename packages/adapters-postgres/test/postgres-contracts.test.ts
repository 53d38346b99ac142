import type { AccountMail } from '@latchkey/domain';
import { sql } from 'kysely';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import {
  allContracts,
  type AuditRow,
  type PortHarness,
} from '../../../test/support/contracts/index.js';
import { newSignIn, newUser } from '../../../test/support/contracts/harness.js';
import { FixedClock, SequentialIds } from '../../../test/support/in-memory/index.js';
import {
  createKysely,
  createPool,
  PostgresAuditLog,
  PostgresOneTimeTokenRepository,
  PostgresRoleRepository,
  PostgresSessionRepository,
  PostgresSignInRecorder,
  PostgresSigningKeyRepository,
  PostgresUnitOfWork,
  PostgresUserRepository,
  type Database,
} from '../src/index.js';

const database = await createTestDatabase();
const db = createKysely<Database>(createPool({ connectionString: database.url, max: 25 }));
t.teardown(async () => {
  await db.destroy();
  await database.drop();
});

// Mail has its own tables and adapter elsewhere: here it only has to be callable.
const noMail: AccountMail = {
  requestVerification: async () => undefined,
  requestPasswordReset: async () => undefined,
  passwordChanged: async () => undefined,
  emailChanged: async () => undefined,
};

const makeRepos = async (): Promise<PortHarness> => {
  // A clean store for each test; roles and permissions stay as migrated.
  await sql`truncate users, audit_events, signing_keys cascade`.execute(db);
  const clock = new FixedClock();
  const ids = new SequentialIds(clock);
  return {
    users: new PostgresUserRepository(db),
    sessions: new PostgresSessionRepository(db),
    roles: new PostgresRoleRepository(db),
    audit: new PostgresAuditLog(db, ids, clock),
    signingKeys: new PostgresSigningKeyRepository(db),
    tokens: new PostgresOneTimeTokenRepository(db),
    unitOfWork: new PostgresUnitOfWork(db, () => noMail, ids, clock),
    signIns: new PostgresSignInRecorder(db, ids, clock),
    clock,
    ids,
    auditEvents: async (): Promise<AuditRow[]> => {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        type: row.type as AuditRow['type'],
        actorId: row.actor_id,
        targetId: row.target_id,
        ip: row.ip,
        userAgent: row.user_agent,
        data: row.data,
        createdAt: row.created_at,
      }));
    },
    blockedTransactions: async () => {
      const row = await sql<{ count: number }>`
        select count(*)::int as count from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
      return row.rows[0]?.count ?? 0;
    },
  };
};

await allContracts(t, makeRepos);

t.test('PostgreSQL specifics', async (t) => {
  t.test('findById reads a user and its roles in one query', async (t) => {
    const h = await makeRepos();
    const queries: string[] = [];
    const logged = db.withPlugin({
      transformQuery: (args) => {
        queries.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const stored = newUser(h, { roles: ['admin', 'user'] });
    await h.users.insert(stored);
    const user = await new PostgresUserRepository(logged).findById(stored.id);
    t.same(user?.roles, ['admin', 'user']);
    t.equal(queries.length, 1, 'one round trip');
    const state = await new PostgresSessionRepository(logged).authState(h.ids.newId());
    t.equal(state, null);
    t.equal(queries.length, 2, 'authState is one query');
  });

  t.test('a unit of work builds its hot statements once for all its transactions', async (t) => {
    const h = await makeRepos();
    const compiled: string[] = [];
    let executed = 0;
    const counted = db.withPlugin({
      transformQuery: (args) => {
        compiled.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => {
        executed += 1;
        return args.result;
      },
    });
    const user = newUser(h);
    await h.users.insert(user);
    const { id } = user;
    const now = h.clock.now();
    const unitOfWork = new PostgresUnitOfWork(counted, () => noMail, h.ids, h.clock);
    const signIn = (at: Date) =>
      unitOfWork.run(async (repos) => {
        await repos.users.recordSignIn(id, at);
        return repos.users.findById(id);
      });
    const first = await signIn(new Date(now.getTime() + 1000));
    const second = await signIn(new Date(now.getTime() + 2000));
    t.equal(executed, 4, 'every statement ran');
    t.same(compiled, ['UpdateQueryNode', 'SelectQueryNode'], 'each was built once');
    t.same(first?.lastLoginAt, new Date(now.getTime() + 1000));
    t.same(second?.lastLoginAt, new Date(now.getTime() + 2000), 'bound to the second call');
  });

  t.test('a sign-in is one statement; stored microseconds still compare equal', async (t) => {
    const h = await makeRepos();
    const user = newUser(h);
    await h.users.insert(user);
    // Written by SQL (a seed, an operator): microseconds that a read rounds down to milliseconds.
    await sql`update users set created_at = created_at + interval '456 microseconds',
      updated_at = updated_at + interval '789 microseconds',
      email_verified_at = email_verified_at + interval '1 microsecond'
      where id = ${user.id}`.execute(db);
    const read = await h.users.findById(user.id);
    t.same(read, user, 'read back to the millisecond');
    let statements = 0;
    const counted = db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements += 1;
        return args.result;
      },
    });
    const signIn = newSignIn(h, user);
    const recorded = await new PostgresSignInRecorder(counted, h.ids, h.clock).recordIfUnchanged(
      signIn,
    );
    t.equal(recorded, true);
    t.equal(statements, 1, 'one round trip');
    t.same((await h.users.findById(user.id))?.lastLoginAt, signIn.at);
  });

  t.test('driver errors other than the email index pass through', async (t) => {
    const h = await makeRepos();
    const now = h.clock.now();
    const user = {
      id: h.ids.newId(),
      email: 'dup-id@example.com',
      pendingEmail: null,
      displayName: null,
      status: 'active' as const,
      passwordHash: null,
      roles: [],
      emailVerifiedAt: null,
      lastLoginAt: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await h.users.insert(user);
    await t.rejects(h.users.insert({ ...user, email: 'other@example.com' }), {
      code: '23505',
      constraint: 'users_pkey',
    });
  });
});
