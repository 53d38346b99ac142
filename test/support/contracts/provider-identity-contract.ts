import type {
  OAuthStateStore,
  PendingLink,
  PendingLinkRepository,
  ProviderIdentity,
  ProviderIdentityRepository,
  User,
} from '@latchkey/domain';
import { newHash, newUser, type PortHarness, type TapTest } from './harness.js';

/** The social login stores of one implementation, over a clean store. */
export interface IdentityHarness {
  readonly base: PortHarness;
  readonly identities: ProviderIdentityRepository;
  readonly pendingLinks: PendingLinkRepository;
  readonly states: OAuthStateStore;
}

export type MakeIdentityHarness = () => Promise<IdentityHarness>;

const withUser = async (h: IdentityHarness): Promise<User> => {
  const user = newUser(h.base);
  await h.base.users.insert(user);
  return user;
};

const identity = (
  h: IdentityHarness,
  user: User,
  fields: Partial<ProviderIdentity> = {},
): ProviderIdentity => ({
  userId: user.id,
  provider: 'oidc',
  subject: `sub-${newHash()}`,
  email: user.email,
  emailVerified: true,
  linkedAt: h.base.clock.now(),
  ...fields,
});

const pending = (
  h: IdentityHarness,
  user: User,
  fields: Partial<PendingLink> = {},
): PendingLink => ({
  tokenHash: newHash(),
  userId: user.id,
  provider: 'github',
  subject: '12345',
  email: 'someone@example.com',
  emailVerified: false,
  createdAt: h.base.clock.now(),
  expiresAt: new Date(h.base.clock.now().getTime() + 900_000),
  usedAt: null,
  ...fields,
});

/** What every ProviderIdentityRepository, PendingLinkRepository and OAuthStateStore must do. */
export const providerIdentityContract = (t: TapTest, make: MakeIdentityHarness): Promise<void> =>
  t
    .test('social login stores contract', async (t) => {
      t.test('identities: insert, find by (provider, subject), list by user', async (t) => {
        const h = await make();
        const user = await withUser(h);
        const first = identity(h, user, { provider: 'oidc' });
        h.base.clock.advance(1000);
        const second = identity(h, user, {
          provider: 'github',
          email: null,
          emailVerified: false,
          linkedAt: h.base.clock.now(),
        });
        t.equal(await h.identities.insert(second), true);
        t.equal(await h.identities.insert(first), true);
        t.same(await h.identities.find('oidc', first.subject), first);
        t.equal(
          await h.identities.find('google', first.subject),
          null,
          'keyed on the provider too',
        );
        t.equal(await h.identities.find('oidc', 'unknown'), null);
        t.same(await h.identities.listForUser(user.id), [first, second], 'oldest link first');
        t.same(await h.identities.listForUser(h.base.ids.newId()), []);
        t.same(await h.identities.listForUser('not-a-uuid'), []);
      });

      t.test('identities: one per (provider, subject) and one per provider and user', async (t) => {
        const h = await make();
        const [a, b] = [await withUser(h), await withUser(h)];
        const taken = identity(h, a);
        t.equal(await h.identities.insert(taken), true);
        t.equal(
          await h.identities.insert({ ...taken, userId: b.id }),
          false,
          'the subject is taken',
        );
        t.equal(
          await h.identities.insert(identity(h, a, { provider: 'oidc' })),
          false,
          'a has an oidc identity',
        );
        t.equal(await h.identities.insert(identity(h, b, { provider: 'oidc' })), true);
        t.same((await h.identities.find('oidc', taken.subject))?.userId, a.id, 'unchanged');
      });

      t.test('identities: updateEmail, delete', async (t) => {
        const h = await make();
        const user = await withUser(h);
        const linked = identity(h, user);
        await h.identities.insert(linked);
        await h.identities.updateEmail('oidc', linked.subject, 'new@example.com', false);
        t.match(await h.identities.find('oidc', linked.subject), {
          email: 'new@example.com',
          emailVerified: false,
        });
        t.equal(await h.identities.delete(user.id, 'github'), false);
        t.equal(await h.identities.delete(h.base.ids.newId(), 'oidc'), false);
        t.equal(await h.identities.delete(user.id, 'oidc'), true);
        t.equal(await h.identities.find('oidc', linked.subject), null);
        t.equal(await h.identities.delete(user.id, 'oidc'), false);
      });

      t.test('identities go with their user in a transaction that rolls back', async (t) => {
        const h = await make();
        const user = await withUser(h);
        const linked = identity(h, user);
        await t.rejects(
          h.base.unitOfWork.run(async (repos) => {
            await repos.identities.insert(linked);
            throw new Error('rollback');
          }),
        );
        t.equal(await h.identities.find('oidc', linked.subject), null);
      });

      t.test('pending links: consumed once, before expiry', async (t) => {
        const h = await make();
        const user = await withUser(h);
        const link = pending(h, user);
        await h.pendingLinks.insert(link);
        t.same(await h.pendingLinks.find(link.tokenHash), link);
        t.equal(await h.pendingLinks.find(newHash()), null);
        h.base.clock.advance(1000);
        const now = h.base.clock.now();
        t.same(await h.pendingLinks.consume(link.tokenHash, now), { ...link, usedAt: now });
        t.equal(await h.pendingLinks.consume(link.tokenHash, now), null, 'once');
        t.same((await h.pendingLinks.find(link.tokenHash))?.usedAt, now);

        const late = pending(h, user);
        await h.pendingLinks.insert(late);
        t.equal(
          await h.pendingLinks.consume(late.tokenHash, late.expiresAt),
          null,
          'expired at expiresAt',
        );
        t.equal(await h.pendingLinks.consume(newHash(), now), null);
      });

      t.test('pending links: of concurrent redemptions exactly one wins', async (t) => {
        const h = await make();
        const user = await withUser(h);
        const link = pending(h, user);
        await h.pendingLinks.insert(link);
        const now = h.base.clock.now();
        const results = await Promise.all(
          Array.from({ length: 8 }, () =>
            h.base.unitOfWork.run((repos) => repos.pendingLinks.consume(link.tokenHash, now)),
          ),
        );
        t.equal(results.filter((r) => r !== null).length, 1);
      });

      t.test('states: redeemed once, before expiry', async (t) => {
        const h = await make();
        const now = h.base.clock.now();
        const hash = newHash();
        await h.states.save(hash, new Date(now.getTime() + 600_000));
        t.equal(await h.states.consume(hash, now), true);
        t.equal(await h.states.consume(hash, now), false, 'once');
        t.equal(await h.states.consume(newHash(), now), false, 'unknown');
        const late = newHash();
        await h.states.save(late, new Date(now.getTime() + 600_000));
        t.equal(await h.states.consume(late, new Date(now.getTime() + 600_000)), false, 'expired');
        t.equal(await h.states.consume(late, now), false, 'an expired state is burnt');
        const raced = newHash();
        await h.states.save(raced, new Date(now.getTime() + 600_000));
        const results = await Promise.all(
          Array.from({ length: 8 }, () => h.states.consume(raced, now)),
        );
        t.equal(results.filter(Boolean).length, 1, 'concurrent redemptions: exactly one');
      });
    })
    .then(() => undefined);
