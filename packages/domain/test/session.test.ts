import t from 'tap';
import {
  judgeRefresh,
  remainingLifetimeSeconds,
  type RefreshTokenRecord,
  type Session,
} from '../src/index.js';

const created = new Date('2030-01-01T00:00:00Z');
const session: Session = {
  id: 's',
  userId: 'u',
  createdAt: created,
  lastUsedAt: created,
  expiresAt: new Date(created.getTime() + 3600_000),
  revokedAt: null,
  userAgent: null,
  ip: null,
};
const token: RefreshTokenRecord = {
  tokenHash: 'h',
  sessionId: 's',
  createdAt: created,
  rotatedAt: null,
};
const at = (ms: number) => new Date(created.getTime() + ms);

t.test('judgeRefresh', async (t) => {
  t.same(
    judgeRefresh(session, token, at(1000), 10),
    { kind: 'rotate' },
    'the newest token rotates',
  );
  const rotated = { ...token, rotatedAt: at(1000) };
  t.same(judgeRefresh(session, rotated, at(1000), 10), { kind: 'grace' });
  t.same(
    judgeRefresh(session, rotated, at(11_000), 10),
    { kind: 'grace' },
    'grace includes its last millisecond',
  );
  t.same(judgeRefresh(session, rotated, at(11_001), 10), { kind: 'reuse' });
  t.same(judgeRefresh(session, rotated, at(1001), 0), { kind: 'reuse' }, 'no grace');
  t.same(
    judgeRefresh({ ...session, revokedAt: at(500) }, token, at(1000), 10),
    { kind: 'invalid' },
    'revoked',
  );
  t.same(
    judgeRefresh({ ...session, revokedAt: at(500) }, rotated, at(60_000), 10),
    { kind: 'invalid' },
    'revoked beats reuse',
  );
  t.same(
    judgeRefresh(session, token, session.expiresAt, 10),
    { kind: 'invalid' },
    'expired at expiresAt',
  );
  t.same(judgeRefresh(session, token, at(3599_999), 10), { kind: 'rotate' }, 'live until then');
});

t.test('remainingLifetimeSeconds floors and never goes negative', async (t) => {
  t.equal(remainingLifetimeSeconds(session, created), 3600);
  t.equal(remainingLifetimeSeconds(session, at(1500)), 3598);
  t.equal(remainingLifetimeSeconds(session, at(7200_000)), 0);
});
