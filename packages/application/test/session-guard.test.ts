import type { SessionAuthState, SessionId } from '@latchkey/domain';
import t from 'tap';
import {
  InMemorySessionRepository,
  makeAccountDeps,
  type TestAccountDeps,
} from '../../../test/support/in-memory/index.js';
import { createSessionGuard } from '../src/index.js';

/** Counts authState reads; `hold` keeps them pending until released. */
class CountingSessions extends InMemorySessionRepository {
  reads = 0;
  hold: Promise<void> | null = null;
  override async authState(id: SessionId): Promise<SessionAuthState | null> {
    this.reads += 1;
    if (this.hold) await this.hold;
    return super.authState(id);
  }
}

const setUp = async (options: { ttlMs?: number; maxEntries?: number } = {}) => {
  const deps = makeAccountDeps();
  const user = await deps.seedUser();
  const { session } = await deps.seedSession(user, 3600);
  const sessions = new CountingSessions(deps.db.autocommit());
  const guard = createSessionGuard({ sessions, clock: deps.clock }, options);
  const check = (fields: { userId?: string; sessionId?: string; issuedAtMs?: number } = {}) =>
    guard({
      userId: fields.userId ?? user.id,
      sessionId: fields.sessionId ?? session.id,
      issuedAtMs: fields.issuedAtMs ?? deps.clock.now().getTime(),
    });
  return { deps, user, session, sessions, check };
};

const afterTtl = (deps: TestAccountDeps) => deps.clock.advance(500);

t.test('a live session passes; its state is read once per ttl', async (t) => {
  const { deps, sessions, check } = await setUp();
  t.equal(await check(), true);
  t.equal(await check(), true);
  deps.clock.advance(499);
  t.equal(await check(), true);
  t.equal(sessions.reads, 1, 'cached within the ttl');
  deps.clock.advance(1);
  t.equal(await check(), true);
  t.equal(sessions.reads, 2, 'read again once the ttl is over');
});

t.test('revocation lands within the ttl', async (t) => {
  const { deps, session, check } = await setUp();
  t.equal(await check(), true);
  await deps.sessions.revoke(session.id, deps.clock.now(), 'logout');
  t.equal(await check(), true, 'still cached');
  afterTtl(deps);
  t.equal(await check(), false, 'refused after the ttl');
});

t.test('a suspended or deleted user, an expired or unknown session are refused', async (t) => {
  const suspended = await setUp();
  await suspended.deps.users.update({ ...suspended.user, status: 'suspended' });
  t.equal(await suspended.check(), false, 'suspended');

  const deleted = await setUp();
  await deleted.deps.users.update({ ...deleted.user, deletedAt: deleted.deps.clock.now() });
  t.equal(await deleted.check(), false, 'deleted');

  const expired = await setUp({ ttlMs: 10_000 });
  t.equal(await expired.check(), true);
  expired.deps.clock.advance(3600_000);
  t.equal(await expired.check(), false, 'expired, even from the cache');

  const unknown = await setUp();
  t.equal(await unknown.check({ sessionId: unknown.deps.ids.newId() }), false, 'unknown session');
});

t.test("a token for another user's session is refused", async (t) => {
  const { deps, check } = await setUp();
  const intruder = await deps.seedUser();
  t.equal(await check({ userId: intruder.id }), false);
});

t.test('tokens issued before tokensValidFrom are refused', async (t) => {
  const { deps, user, check } = await setUp();
  const issuedBefore = deps.clock.now().getTime();
  deps.clock.advance(1000);
  await deps.sessions.invalidateAccessTokens(user.id, deps.clock.now());
  afterTtl(deps);
  t.equal(await check({ issuedAtMs: issuedBefore }), false, 'issued before the role change');
  t.equal(
    await check({ issuedAtMs: deps.clock.now().getTime() - 500 }),
    true,
    'issued at the change',
  );
  t.equal(await check(), true, 'issued after');
});

t.test('concurrent misses share one read', async (t) => {
  const { sessions, check } = await setUp();
  let release!: () => void;
  sessions.hold = new Promise((resolve) => {
    release = resolve;
  });
  const pending = Array.from({ length: 5 }, () => check());
  release();
  t.same(await Promise.all(pending), [true, true, true, true, true]);
  t.equal(sessions.reads, 1);
  sessions.hold = null;
});

t.test('a full cache starts over', async (t) => {
  const { deps, user, session, sessions, check } = await setUp({ maxEntries: 1 });
  const other = await deps.seedSession(user);
  await check();
  await check({ sessionId: other.session.id });
  await check({ sessionId: session.id });
  t.equal(sessions.reads, 3, 'the first entry was dropped to make room');
});

t.test('defaults: ttl 500 ms', async (t) => {
  const { deps, sessions, check } = await setUp({});
  await check();
  deps.clock.advance(499);
  await check();
  t.equal(sessions.reads, 1);
});
