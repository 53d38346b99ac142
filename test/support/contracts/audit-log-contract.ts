import type { AuditEvent } from '@latchkey/domain';
import { UUID_V7_PATTERN } from '../in-memory/index.js';
import type { MakeHarness, TapTest } from './harness.js';

/** What every AuditLog must do. */
export const auditLogContract = (t: TapTest, makeRepos: MakeHarness): Promise<void> =>
  t
    .test('AuditLog contract', async (t) => {
      t.test("record stores the event with a v7 id and the clock's time", async (t) => {
        const h = await makeRepos();
        const actor = h.ids.newId();
        const event: AuditEvent = {
          type: 'admin.roles_changed',
          actorId: actor,
          targetId: h.ids.newId(),
          ip: '2001:db8::1',
          userAgent: 'curl/8',
          data: { from: ['user'], to: ['admin', 'user'], nested: { ok: true, n: 3 }, text: 'é"\'' },
        };
        await h.audit.record(event);
        h.clock.advance(1000);
        await h.audit.record({
          type: 'user.login_failed',
          actorId: null,
          targetId: null,
          ip: null,
          userAgent: null,
          data: {},
        });
        const rows = await h.auditEvents();
        t.equal(rows.length, 2);
        const [first, second] = rows;
        t.match(first?.id, UUID_V7_PATTERN);
        t.not(first?.id, second?.id);
        t.same(
          { ...first, id: undefined },
          { ...event, id: undefined, createdAt: new Date(h.clock.now().getTime() - 1000) },
        );
        t.same(second?.data, {});
        t.equal(second?.actorId, null);
        t.same(second?.createdAt, h.clock.now());
      });

      t.test('inside a transaction, recorded on commit', async (t) => {
        const h = await makeRepos();
        await h.unitOfWork.run((repos) =>
          repos.audit.record({
            type: 'user.logout',
            actorId: null,
            targetId: null,
            ip: null,
            userAgent: null,
            data: { a: 1 },
          }),
        );
        t.same(
          (await h.auditEvents()).map((e) => [e.type, e.data]),
          [['user.logout', { a: 1 }]],
        );
      });
    })
    .then(() => undefined);
