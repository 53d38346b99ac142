import { DEFAULT_ROLES, PERMISSIONS } from '@latchkey/domain';
import type { MakeHarness, TapTest } from './harness.js';

/** What every RoleRepository must do (over the default catalogue). */
export const roleRepositoryContract = (t: TapTest, makeRepos: MakeHarness): Promise<void> =>
  t
    .test('RoleRepository contract', async (t) => {
      t.test('list: the default roles by name, permissions in PERMISSIONS order', async (t) => {
        const h = await makeRepos();
        const expected = [...DEFAULT_ROLES].sort((a, b) => a.name.localeCompare(b.name));
        t.same(await h.roles.list(), expected);
        t.same(
          (await h.roles.list()).map((r) => r.name),
          ['admin', 'support', 'user'],
        );
      });

      t.test(
        'permissionsOf: the union, in PERMISSIONS order; unknown roles grant nothing',
        async (t) => {
          const h = await makeRepos();
          t.same(await h.roles.permissionsOf([]), []);
          t.same(await h.roles.permissionsOf(['user']), []);
          t.same(await h.roles.permissionsOf(['user', 'support']), ['users:read']);
          t.same(await h.roles.permissionsOf(['support', 'admin']), [...PERMISSIONS]);
          t.same(await h.roles.permissionsOf(['nobody']), []);
        },
      );

      t.test('inside a transaction too', async (t) => {
        const h = await makeRepos();
        t.same(await h.unitOfWork.run((repos) => repos.roles.permissionsOf(['support'])), [
          'users:read',
        ]);
      });
    })
    .then(() => undefined);
