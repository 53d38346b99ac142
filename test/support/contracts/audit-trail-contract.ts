import type { AuditEventType, AuditQuery, AuditRecord } from '@latchkey/domain';
import { ValidationError } from '@latchkey/domain';
import type { MakeAdminHarness } from './admin-harness.js';
import type { TapTest } from './harness.js';

const TYPES: AuditEventType[] = [
  'user.login_succeeded',
  'admin.user_updated',
  'admin.roles_changed',
];

/** What every AuditTrail must do. */
export const auditTrailContract = (t: TapTest, makeHarness: MakeAdminHarness): Promise<void> =>
  t
    .test('AuditTrail contract', async (t) => {
      const h = await makeHarness();
      const actors = [h.ids.newId(), h.ids.newId()];
      const targets = [h.ids.newId(), h.ids.newId(), h.ids.newId()];
      const start = h.clock.now().getTime();
      // 30 events, two per millisecond step (ties broken by id), newest first expected.
      for (let i = 0; i < 30; i++) {
        h.clock.set(start + Math.floor(i / 2) * 1000);
        await h.audit.record({
          type: TYPES[i % 3]!,
          actorId: i % 4 === 0 ? null : actors[i % 2]!,
          targetId: targets[i % 3]!,
          ip: '192.0.2.1',
          userAgent: 'contract',
          data: { i },
        });
      }
      const all = (await h.trail.list({ limit: 100, cursor: null })).items;
      t.equal(all.length, 30);
      const order = (r: AuditRecord) => `${r.createdAt.toISOString()} ${r.id}`;
      t.same(all.map(order), all.map(order).sort().reverse(), 'newest first, ties by id');
      t.same(
        all.map((r) => r.data.i),
        [...Array(30).keys()].reverse(),
      );

      const walk = async (query: Omit<AuditQuery, 'cursor'>): Promise<AuditRecord[]> => {
        const items: AuditRecord[] = [];
        let cursor: string | null = null;
        do {
          const page = await h.trail.list({ ...query, cursor });
          items.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor !== null && items.length <= 60);
        return items;
      };

      t.test('pages with each filter match the filtered list', async (t) => {
        const from = new Date(start + 4000);
        const to = new Date(start + 10_000);
        const cases: Array<[Omit<AuditQuery, 'cursor' | 'limit'>, (r: AuditRecord) => boolean]> = [
          [{}, () => true],
          [{ type: 'admin.user_updated' }, (r) => r.type === 'admin.user_updated'],
          [{ actorId: actors[1] }, (r) => r.actorId === actors[1]],
          [{ targetId: targets[2] }, (r) => r.targetId === targets[2]],
          [{ from }, (r) => r.createdAt >= from],
          [{ to }, (r) => r.createdAt <= to],
          [
            { from, to, type: 'user.login_succeeded' },
            (r) => r.createdAt >= from && r.createdAt <= to && r.type === 'user.login_succeeded',
          ],
        ];
        for (const [filter, keep] of cases) {
          const got = await walk({ ...filter, limit: 3 });
          t.same(
            got.map((r) => r.id),
            all.filter(keep).map((r) => r.id),
            JSON.stringify(filter),
          );
        }
      });

      t.test('records come back whole', async (t) => {
        const [newest] = all;
        t.match(newest, {
          type: TYPES[29 % 3],
          ip: '192.0.2.1',
          userAgent: 'contract',
          data: { i: 29 },
        });
        t.type(newest?.createdAt, Date);
      });

      t.test('a malformed cursor is a validation error', async (t) => {
        await t.rejects(h.trail.list({ limit: 3, cursor: 'garbage!' }), ValidationError);
        await t.rejects(h.trail.list({ limit: 3, cursor: 'WyJ4Il0' }), ValidationError);
      });
    })
    .then(() => undefined);
