import type {
  AuthorizationCallback,
  AuthorizationRequest,
  AuthProviderName,
  IdentityProvider,
  ProviderProfile,
} from '@latchkey/domain';
import {
  ForbiddenError,
  InvalidOAuthStateError,
  InvalidTokenError,
  LastLoginMethodError,
  NotFoundError,
  UserGoneError,
  ValidationError,
} from '@latchkey/domain';
import t from 'tap';
import { InMemoryOAuthStateStore, makeAccountDeps } from '../../../test/support/in-memory/index.js';
import {
  beginOAuth,
  completeOAuth,
  linkProvider,
  listProviders,
  unlinkProvider,
  type OAuthDeps,
  type OAuthOutcome,
} from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };

/** A provider that answers what the test says; `code=good` is the only code it accepts. */
class FakeProvider implements IdentityProvider {
  readonly requests: AuthorizationRequest[] = [];
  readonly callbacks: AuthorizationCallback[] = [];
  answer: ProviderProfile | Error = {
    subject: 'sub-1',
    email: 'a@example.com',
    emailVerified: true,
    name: 'A',
  };

  constructor(readonly name: AuthProviderName) {}

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    this.requests.push(request);
    return `https://${this.name}.test/authorize?state=${request.state}`;
  }

  async completeAuthorization(callback: AuthorizationCallback): Promise<ProviderProfile> {
    this.callbacks.push(callback);
    if (callback.params.code !== 'good') throw new InvalidOAuthStateError('code refused');
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

const setup = () => {
  const base = makeAccountDeps();
  const oidc = new FakeProvider('oidc');
  const events: unknown[] = [];
  const deps: OAuthDeps & typeof base = {
    ...base,
    providers: new Map([['oidc', oidc]]),
    states: new InMemoryOAuthStateStore(),
    events: { emit: (event) => events.push(event) },
    oauth: {
      stateTtl: 600,
      linkTokenTtl: 900,
      redirectOrigins: ['https://app.example'],
      callbackUrl: (provider) => `https://api.example/api/v1/oauth/${provider}/callback`,
    },
  };
  const begin = beginOAuth(deps);
  const complete = completeOAuth(deps);
  /** A whole round trip: begin, then the callback with `code`. */
  const roundTrip = async (
    profile: ProviderProfile | Error,
    options: { userId?: string; code?: string; redirectTo?: string } = {},
  ): Promise<OAuthOutcome> => {
    oidc.answer = profile;
    const { flow } = await begin({
      provider: 'oidc',
      userId: options.userId,
      redirectTo: options.redirectTo,
    });
    return complete(
      { provider: 'oidc', flow, params: { code: options.code ?? 'good', state: flow.state } },
      context,
    );
  };
  return { deps, oidc, events, begin, complete, roundTrip };
};

const profile = (fields: Partial<ProviderProfile> = {}): ProviderProfile => ({
  subject: 'sub-1',
  email: 'person@example.com',
  emailVerified: true,
  name: 'Person',
  ...fields,
});

t.test('begin: unknown provider, bad redirectTo, gone user', async (t) => {
  const { begin, deps, oidc } = setup();
  await t.rejects(begin({ provider: 'github' }), NotFoundError);
  await t.rejects(begin({ provider: 'oidc', redirectTo: '//evil.example' }), ValidationError);
  await t.rejects(begin({ provider: 'oidc', userId: deps.ids.newId() }), UserGoneError);
  const { flow, authorizeUrl } = await begin({
    provider: 'oidc',
    redirectTo: 'https://app.example/x',
  });
  t.equal(flow.redirectTo, 'https://app.example/x');
  t.equal(authorizeUrl, `https://oidc.test/authorize?state=${flow.state}`);
  t.same(flow.expiresAt, new Date(deps.clock.now().getTime() + 600_000));
  t.same(oidc.requests[0], {
    redirectUri: 'https://api.example/api/v1/oauth/oidc/callback',
    state: flow.state,
    nonce: flow.nonce,
    codeVerifier: flow.codeVerifier,
  });
  t.not(flow.state, flow.nonce);
  t.ok(
    (deps.states as InMemoryOAuthStateStore).states.has(deps.secrets.hash(flow.state)),
    'stored by hash',
  );
  t.notOk((deps.states as InMemoryOAuthStateStore).states.has(flow.state));
});

t.test('complete: the state is single use and expires after stateTtl (frozen clock)', async (t) => {
  const { begin, complete, deps } = setup();
  const { flow } = await begin({ provider: 'oidc' });
  const params = { code: 'good', state: flow.state };
  await t.rejects(
    complete({ provider: 'oidc', flow: null, params }, context),
    InvalidOAuthStateError,
  );
  await t.rejects(complete({ provider: 'github', flow, params }, context), InvalidOAuthStateError);
  await t.rejects(
    complete({ provider: 'oidc', flow, params: { code: 'good' } }, context),
    InvalidOAuthStateError,
  );
  t.equal((await complete({ provider: 'oidc', flow, params }, context)).kind, 'signed_in');
  await t.rejects(
    complete({ provider: 'oidc', flow, params }, context),
    InvalidOAuthStateError,
    'replayed',
  );

  const late = await begin({ provider: 'oidc' });
  deps.clock.advance(600_000);
  await t.rejects(
    complete(
      { provider: 'oidc', flow: late.flow, params: { code: 'good', state: late.flow.state } },
      context,
    ),
    InvalidOAuthStateError,
    'expired at exactly stateTtl',
  );
  const inTime = await begin({ provider: 'oidc' });
  deps.clock.advance(599_000);
  t.equal(
    (
      await complete(
        { provider: 'oidc', flow: inTime.flow, params: { code: 'good', state: inTime.flow.state } },
        context,
      )
    ).kind,
    'signed_in',
  );
});

t.test(
  'complete: provider failures after a valid state are outcomes, not exceptions',
  async (t) => {
    const { roundTrip, begin, complete } = setup();
    await t.rejects(
      roundTrip(profile(), { code: 'bad' }),
      InvalidOAuthStateError,
      'nonce/PKCE/code refused',
    );
    const down = await roundTrip(new Error('ECONNREFUSED'));
    t.match(down, {
      kind: 'failed',
      failure: 'provider_error',
      cause: { message: 'ECONNREFUSED' },
    });
    t.match(await roundTrip(profile({ subject: '' })), {
      kind: 'failed',
      failure: 'provider_error',
    });
    t.match(await roundTrip(profile({ email: 'not an email' })), {
      kind: 'failed',
      failure: 'provider_error',
    });
    t.match(await roundTrip(profile({ email: null })), {
      kind: 'failed',
      failure: 'provider_error',
    });
    const { flow } = await begin({ provider: 'oidc' });
    t.match(
      await complete(
        { provider: 'oidc', flow, params: { error: 'access_denied', state: flow.state } },
        context,
      ),
      { kind: 'failed', failure: 'provider_error' },
    );
  },
);

t.test('a new account: active when verified, unverified with a mail otherwise', async (t) => {
  const { roundTrip, deps, events } = setup();
  const outcome = await roundTrip(profile({ name: '  Ada  ' }), { redirectTo: '/welcome' });
  if (outcome.kind !== 'signed_in') throw new Error(outcome.kind);
  t.equal(outcome.created, true);
  t.equal(outcome.redirectTo, '/welcome');
  t.equal(outcome.user.status, 'active');
  t.equal(outcome.user.passwordHash, null);
  t.equal(outcome.user.displayName, 'Ada');
  t.same(outcome.user.lastLoginAt, deps.clock.now());
  t.ok(outcome.tokens.accessToken);
  t.same(events, [{ type: 'registration' }, { type: 'login', outcome: 'success' }]);
  t.same(deps.mailCalls(), []);
  t.same(
    deps.auditEvents().map((e) => e.type),
    ['user.registered', 'oauth.linked', 'oauth.login'],
  );

  const unverified = await roundTrip(
    profile({ subject: 'sub-2', email: 'other@example.com', emailVerified: false }),
  );
  if (unverified.kind !== 'signed_in') throw new Error(unverified.kind);
  t.equal(unverified.user.status, 'unverified');
  t.match(deps.mailCalls(), [{ kind: 'requestVerification', purpose: 'verify_account' }]);

  // A linked identity signs in; a provider that now verifies the address verifies the account.
  const again = await roundTrip(
    profile({ subject: 'sub-2', email: 'OTHER@example.com', emailVerified: true }),
  );
  if (again.kind !== 'signed_in') throw new Error(again.kind);
  t.equal(again.created, false);
  t.equal(again.user.id, unverified.user.id);
  t.equal(again.user.status, 'active');
});

t.test('pre-hijacking: the verified provider user claims an unverified account', async (t) => {
  const { roundTrip, deps } = setup();
  const squatter = await deps.seedUser({
    email: 'victim@example.com',
    status: 'unverified',
    pendingEmail: 'evil@example.com',
  });
  const session = await deps.seedSession(squatter);
  // The squatter also connected a provider identity of their own.
  await deps.unitOfWork.run((repos) =>
    repos.identities.insert({
      userId: squatter.id,
      provider: 'github',
      subject: 'evil',
      email: null,
      emailVerified: false,
      linkedAt: deps.clock.now(),
    }),
  );
  await deps.unitOfWork.run((repos) =>
    repos.tokens.insert({
      tokenHash: 'h1',
      userId: squatter.id,
      purpose: 'verify_email_change',
      email: 'evil@example.com',
      createdAt: deps.clock.now(),
      expiresAt: new Date(deps.clock.now().getTime() + 3600_000),
      usedAt: null,
      supersededAt: null,
    }),
  );
  deps.clock.advance(1000);
  const outcome = await roundTrip(profile({ email: 'Victim@Example.com' }));
  if (outcome.kind !== 'signed_in') throw new Error(outcome.kind);
  t.equal(outcome.user.id, squatter.id);
  const stored = await deps.users.findById(squatter.id);
  t.equal(stored?.passwordHash, null);
  t.equal(stored?.status, 'active');
  t.equal(stored?.pendingEmail, null);
  t.same(deps.storedSession(session.session.id)?.session.revokedAt, deps.clock.now());
  t.equal(deps.storedSession(session.session.id)?.revokedReason, 'account_claimed');
  t.ok(
    deps.db.committed.oneTimeTokens.get('h1')?.supersededAt,
    'the pending email change token is dead',
  );
  t.same(
    (await listProviders(deps)(squatter.id)).map((i) => i.provider),
    ['oidc'],
    "the squatter's identity is gone",
  );
  t.same(
    deps.auditEvents().map((e) => e.type),
    ['oauth.unlinked', 'user.email_verified', 'oauth.linked', 'oauth.login'],
  );
});

t.test(
  'link required: the link token is single use, for its account only, and expires',
  async (t) => {
    const { roundTrip, deps } = setup();
    const owner = await deps.seedUser({ email: 'person@example.com' });
    const other = await deps.seedUser({ email: 'other@example.com' });
    const outcome = await roundTrip(profile({ emailVerified: false }));
    if (outcome.kind !== 'link_required') throw new Error(outcome.kind);
    const link = linkProvider(deps);
    await t.rejects(link(other.id, outcome.linkToken, context), ForbiddenError);
    await t.rejects(link(owner.id, 'nope', context), InvalidTokenError);
    const items = await link(owner.id, outcome.linkToken, context);
    t.match(items, [{ provider: 'oidc', subject: 'sub-1', userId: owner.id }]);
    await t.rejects(link(owner.id, outcome.linkToken, context), InvalidTokenError);

    const late = await roundTrip(
      profile({ subject: 'sub-9', emailVerified: false, email: 'other@example.com' }),
    );
    if (late.kind !== 'link_required') throw new Error(late.kind);
    deps.clock.advance(900_000);
    await t.rejects(link(other.id, late.linkToken, context), InvalidTokenError, 'expired');
  },
);

t.test('connect: identity_in_use, provider_already_linked, suspended, deleted', async (t) => {
  const { roundTrip, deps } = setup();
  const first = await deps.seedUser({ email: 'first@example.com' });
  const second = await deps.seedUser({ email: 'second@example.com' });
  t.same(await roundTrip(profile(), { userId: first.id }), {
    kind: 'connected',
    redirectTo: '/account',
  });
  t.same(
    await roundTrip(profile(), { userId: first.id }),
    { kind: 'connected', redirectTo: '/account' },
    'again: idempotent',
  );
  t.match(await roundTrip(profile(), { userId: second.id }), {
    kind: 'failed',
    failure: 'identity_in_use',
  });
  t.match(await roundTrip(profile({ subject: 'sub-2' }), { userId: first.id }), {
    kind: 'failed',
    failure: 'provider_already_linked',
  });
  const suspended = await deps.seedUser({ email: 'sus@example.com', status: 'suspended' });
  t.match(await roundTrip(profile({ subject: 'sub-3' }), { userId: suspended.id }), {
    kind: 'failed',
    failure: 'account_suspended',
  });
});

t.test('unlink: 404 for none, 409 for the last way to sign in', async (t) => {
  const { roundTrip, deps } = setup();
  const outcome = await roundTrip(profile());
  if (outcome.kind !== 'signed_in') throw new Error(outcome.kind);
  const unlink = unlinkProvider(deps);
  await t.rejects(unlink(outcome.user.id, 'github', context), NotFoundError);
  await t.rejects(unlink(outcome.user.id, 'bogus', context), NotFoundError);
  await t.rejects(unlink(outcome.user.id, 'oidc', context), LastLoginMethodError);
  const withPassword = await deps.seedUser({ email: 'pw@example.com' });
  t.same(await roundTrip(profile({ subject: 'sub-pw' }), { userId: withPassword.id }), {
    kind: 'connected',
    redirectTo: '/account',
  });
  await unlink(withPassword.id, 'oidc', context);
  t.same(await listProviders(deps)(withPassword.id), []);
  t.equal(deps.auditEvents().at(-1)?.type, 'oauth.unlinked');
});
