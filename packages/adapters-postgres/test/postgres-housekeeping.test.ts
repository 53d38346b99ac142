import { DEFAULT_ROLE, type User } from '@latchkey/domain';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { FixedClock, SequentialIds } from '../../../test/support/in-memory/index.js';
import {
  PostgresAuditLog,
  PostgresHousekeeping,
  PostgresSessionRepository,
  PostgresUserRepository,
  createKysely,
  createPool,
  type Database,
} from '../src/index.js';

const database = await createTestDatabase();
const db = createKysely<Database>(createPool({ connectionString: database.url, max: 5 }));
t.teardown(async () => {
  await db.destroy();
  await database.drop();
});

const clock = new FixedClock('2030-06-01T12:00:00Z');
const ids = new SequentialIds(clock);
const users = new PostgresUserRepository(db);
const sessions = new PostgresSessionRepository(db);
const housekeeping = new PostgresHousekeeping(db);
const DAY = 86_400_000;
const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs);

const seedUser = async (fields: Partial<User> = {}): Promise<User> => {
  const user: User = {
    id: ids.newId(),
    email: `${ids.newId()}@example.com`,
    pendingEmail: 'pending@example.com',
    displayName: 'Someone',
    status: 'active',
    passwordHash: 'hash',
    roles: [DEFAULT_ROLE],
    emailVerifiedAt: clock.now(),
    lastLoginAt: null,
    deletedAt: null,
    createdAt: clock.now(),
    updatedAt: clock.now(),
    ...fields,
  };
  await users.insert(user);
  return user;
};
const seedSession = async (user: User, expiresAt: Date) => {
  const id = ids.newId();
  await sessions.create(
    {
      id,
      userId: user.id,
      createdAt: at(-DAY),
      lastUsedAt: at(-DAY),
      expiresAt,
      revokedAt: null,
      userAgent: 'agent',
      ip: '192.0.2.1',
    },
    `hash-${id}`,
  );
  return id;
};
const seedToken = (user: User, expiresAt: Date) =>
  db
    .insertInto('one_time_tokens')
    .values({
      token_hash: `t-${ids.newId()}`,
      user_id: user.id,
      purpose: 'password_reset',
      email: null,
      created_at: at(-DAY),
      expires_at: expiresAt,
    })
    .returning('token_hash')
    .executeTakeFirstOrThrow();

t.test('purgeExpired removes expired tokens, sessions and old quota rows only', async (t) => {
  const user = await seedUser();
  const oldToken = await seedToken(user, at(-1));
  const liveToken = await seedToken(user, at(60_000));
  const oldSession = await seedSession(user, at(-1));
  const liveSession = await seedSession(user, at(DAY));
  await db
    .insertInto('mail_log')
    .values([
      { user_id: user.id, kind: 'password_reset', created_at: at(-2 * 3600_000) },
      { user_id: user.id, kind: 'password_reset', created_at: at(-60_000) },
    ])
    .execute();
  const result = await housekeeping.purgeExpired({
    tokensBefore: clock.now(),
    sessionsBefore: clock.now(),
    mailLogBefore: at(-3600_000),
  });
  t.same(result, { tokens: 1, sessions: 1, mailLog: 1 });
  const tokens = await db.selectFrom('one_time_tokens').select('token_hash').execute();
  t.same(
    tokens.map((r) => r.token_hash),
    [liveToken.token_hash],
  );
  t.not(oldToken.token_hash, liveToken.token_hash);
  t.equal(await sessions.findById(oldSession), null);
  t.ok(await sessions.findById(liveSession));
  const refresh = await db.selectFrom('refresh_tokens').select('session_id').execute();
  t.same(
    refresh.map((r) => r.session_id),
    [liveSession],
    'refresh tokens go with their session',
  );
});

t.test('anonymiseDeleted: past the retention only, once, row and audit kept', async (t) => {
  const old = await seedUser({ deletedAt: at(-31 * DAY) });
  const recent = await seedUser({ deletedAt: at(-29 * DAY) });
  const live = await seedUser();
  await seedSession(old, at(DAY));
  await seedToken(old, at(DAY));
  await new PostgresAuditLog(db, ids, clock).record({
    type: 'user.deleted',
    actorId: old.id,
    targetId: old.id,
    ip: '192.0.2.1',
    userAgent: 'agent',
    data: {},
  });
  clock.advance(1000);
  t.equal(await housekeeping.anonymiseDeleted(at(-30 * DAY), clock.now()), 1);
  t.match(await users.findById(old.id), {
    email: `deleted+${old.id}@invalid`,
    displayName: null,
    passwordHash: null,
    pendingEmail: null,
    deletedAt: old.deletedAt,
    updatedAt: clock.now(),
    roles: [DEFAULT_ROLE],
  });
  t.same(await sessions.listActive(old.id, clock.now()), [], 'sessions (IPs, agents) deleted');
  const tokens = await db
    .selectFrom('one_time_tokens')
    .selectAll()
    .where('user_id', '=', old.id)
    .execute();
  t.same(tokens, []);
  const audit = await db
    .selectFrom('audit_events')
    .select('target_id')
    .where('target_id', '=', old.id)
    .execute();
  t.equal(audit.length, 1, 'the audit trail stays');
  t.same(await users.findById(recent.id), recent, 'within the retention: untouched');
  t.same(await users.findById(live.id), live);
  t.equal(await housekeeping.anonymiseDeleted(at(-30 * DAY), clock.now()), 0, 'idempotent');
});
