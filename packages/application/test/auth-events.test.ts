import type { AuthEvent } from '@latchkey/domain';
import t from 'tap';
import {
  RecordingAuthEvents,
  RecordingMailer,
  makeAccountDeps,
} from '../../../test/support/in-memory/index.js';
import { deliverMail, login, refreshSession, registerUser } from '../src/index.js';

const context = { ip: '203.0.113.9', userAgent: 'test' };
const PASSWORD = 'correct horse battery';

const setUp = (threshold = 3) => {
  const events = new RecordingAuthEvents();
  const deps = { ...makeAccountDeps({ throttle: { threshold } }), events };
  return { deps, events };
};

t.test('registration: counted once committed, not when refused', async (t) => {
  const { deps, events } = setUp();
  const register = registerUser(deps);
  await register({ email: 'new@example.com', password: PASSWORD }, context);
  await t.rejects(register({ email: 'NEW@example.com', password: PASSWORD }, context));
  await t.rejects(register({ email: 'other@example.com', password: 'short' }, context));
  t.same(events.events, [{ type: 'registration' }]);
});

t.test('login outcomes: success, invalid_credentials, suspended, locked', async (t) => {
  const { deps, events } = setUp(2);
  await deps.seedUser({ email: 'ok@example.com' });
  await deps.seedUser({ email: 'off@example.com', status: 'suspended' });
  const signIn = login(deps);
  await signIn({ email: 'ok@example.com', password: PASSWORD }, context);
  await t.rejects(signIn({ email: 'nobody@example.com', password: PASSWORD }, context));
  await t.rejects(signIn({ email: 'off@example.com', password: PASSWORD }, context));
  await t.rejects(signIn({ email: 'ok@example.com', password: 'wrong password' }, context));
  await t.rejects(signIn({ email: 'ok@example.com', password: 'wrong password' }, context));
  await t.rejects(signIn({ email: 'ok@example.com', password: PASSWORD }, context), {
    code: 'rate_limited',
  });
  // A malformed request is no login attempt.
  await t.rejects(signIn({ email: 'ok@example.com', password: 'x'.repeat(200) }, context));
  t.same(
    events.events.map((e) => (e.type === 'login' ? e.outcome : e.type)),
    [
      'success',
      'invalid_credentials',
      'suspended',
      'invalid_credentials',
      'invalid_credentials',
      'locked',
    ],
  );
});

t.test('refresh outcomes, and reuse of a rotated token', async (t) => {
  const { deps, events } = setUp();
  await deps.seedUser({ email: 'ref@example.com' });
  const first = await login(deps)({ email: 'ref@example.com', password: PASSWORD }, context);
  const refresh = refreshSession(deps);
  await refresh(first.refresh.token, context);
  await t.rejects(refresh('unknown-token', context));
  deps.clock.advance((deps.settings.refreshReuseGrace + 1) * 1000);
  await t.rejects(refresh(first.refresh.token, context));
  const expected: AuthEvent[] = [
    { type: 'login', outcome: 'success' },
    { type: 'refresh', outcome: 'success' },
    { type: 'refresh', outcome: 'invalid' },
    { type: 'refresh_token_reuse' },
    { type: 'refresh', outcome: 'invalid' },
  ];
  t.same(events.events, expected);
});

t.test('mail delivery attempts: sent and failed', async (t) => {
  const events = new RecordingAuthEvents();
  const mailer = new RecordingMailer();
  const deliver = deliverMail({
    mailer,
    events,
    templates: { publicUrl: 'https://id.example.com', verifyTokenTtl: 60, resetTokenTtl: 60 },
  });
  const payload = {
    kind: 'verify_account',
    to: 'a@example.com',
    userId: 'u1',
    displayName: null,
    token: 'tok',
  };
  await deliver(payload);
  mailer.failWith = new Error('SMTP down');
  await t.rejects(deliver(payload));
  t.same(events.events, [
    { type: 'mail', outcome: 'sent' },
    { type: 'mail', outcome: 'failed' },
  ]);
});

t.test('without the port nothing is counted and nothing breaks', async (t) => {
  const deps = makeAccountDeps();
  await deps.seedUser({ email: 'plain@example.com' });
  const result = await login(deps)({ email: 'plain@example.com', password: PASSWORD }, context);
  t.ok(result.accessToken);
});
