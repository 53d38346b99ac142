import type { AccountMail } from '@latchkey/domain';
import { sql } from 'kysely';
import t from 'tap';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { providerIdentityContract } from '../../../test/support/contracts/provider-identity-contract.js';
import { FixedClock, SequentialIds } from '../../../test/support/in-memory/index.js';
import {
  createKysely,
  createPool,
  PostgresAuditLog,
  PostgresHousekeeping,
  PostgresOAuthStateStore,
  PostgresOneTimeTokenRepository,
  PostgresPendingLinkRepository,
  PostgresProviderIdentityRepository,
  PostgresRoleRepository,
  PostgresSessionRepository,
  PostgresSignInRecorder,
  PostgresSigningKeyRepository,
  PostgresUnitOfWork,
  PostgresUserRepository,
  type Database,
} from '../src/index.js';

const database = await createTestDatabase();
const db = createKysely<Database>(createPool({ connectionString: database.url, max: 12 }));
t.teardown(async () => {
  await db.destroy();
  await database.drop();
});

const noMail: AccountMail = {
  requestVerification: async () => undefined,
  requestPasswordReset: async () => undefined,
  passwordChanged: async () => undefined,
  emailChanged: async () => undefined,
};

await providerIdentityContract(t, async () => {
  await sql`truncate users, oauth_states cascade`.execute(db);
  const clock = new FixedClock();
  const ids = new SequentialIds(clock);
  return {
    base: {
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
      auditEvents: async () => [],
      blockedTransactions: async () => 0,
    },
    identities: new PostgresProviderIdentityRepository(db),
    pendingLinks: new PostgresPendingLinkRepository(db),
    states: new PostgresOAuthStateStore(db),
  };
});

t.test('PostgreSQL specifics', async (t) => {
  t.test('the schema refuses unknown providers and empty subjects', async (t) => {
    const id = '0190f3a0-0000-7000-8000-000000000001';
    await sql`insert into users (id, email, status) values (${id}, 'schema@example.com', 'active')`.execute(
      db,
    );
    await t.rejects(
      sql`insert into user_auth_providers (user_id, provider, subject) values (${id}, 'myspace', 'x')`.execute(
        db,
      ),
      { code: '23514' },
    );
    await t.rejects(
      sql`insert into user_auth_providers (user_id, provider, subject) values (${id}, 'oidc', '')`.execute(
        db,
      ),
      { code: '23514' },
    );
    await sql`delete from users where id = ${id}`.execute(db);
  });

  t.test('expired states are purged as new ones are saved', async (t) => {
    await sql`truncate oauth_states`.execute(db);
    const store = new PostgresOAuthStateStore(db);
    await store.save('old', new Date(Date.now() - 1000));
    await store.save('new', new Date(Date.now() + 600_000));
    const rows = await db.selectFrom('oauth_states').select('state_hash').execute();
    t.same(
      rows.map((r) => r.state_hash),
      ['new'],
    );
  });

  t.test('anonymising a deleted account frees its provider identities', async (t) => {
    const id = '0190f3a0-0000-7000-8000-000000000002';
    await sql`insert into users (id, email, status, deleted_at) values (${id}, 'gone@example.com', 'active', now() - interval '40 days')`.execute(
      db,
    );
    await sql`insert into user_auth_providers (user_id, provider, subject, email) values (${id}, 'github', '777', 'gone@example.com')`.execute(
      db,
    );
    t.equal(
      await new PostgresHousekeeping(db).anonymiseDeleted(
        new Date(Date.now() - 30 * 86_400_000),
        new Date(),
      ),
      1,
    );
    t.equal(await new PostgresProviderIdentityRepository(db).find('github', '777'), null);
  });
});
