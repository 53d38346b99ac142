import t from 'tap';
import {
  AUTH_PROVIDERS,
  isAuthProviderName,
  linkDecision,
  providerSaysVerified,
  safeRedirectTarget,
  signInMethodsLeft,
  type ProviderProfile,
  type User,
} from '../src/index.js';

const at = new Date('2030-01-01T00:00:00Z');
const user = (fields: Partial<User> = {}): User => ({
  id: 'u1',
  email: 'Owner@Example.com',
  pendingEmail: null,
  displayName: null,
  status: 'active',
  passwordHash: 'hash',
  roles: ['user'],
  emailVerifiedAt: at,
  lastLoginAt: null,
  deletedAt: null,
  createdAt: at,
  updatedAt: at,
  ...fields,
});
const profile = (fields: Partial<ProviderProfile> = {}): ProviderProfile => ({
  subject: 's1',
  email: 'owner@example.com',
  emailVerified: true,
  name: null,
  ...fields,
});

t.test('providers: a closed set', async (t) => {
  t.same(AUTH_PROVIDERS, ['google', 'github', 'oidc']);
  t.ok(isAuthProviderName('github'));
  t.notOk(isAuthProviderName('GitHub'));
  t.notOk(isAuthProviderName('toString'));
});

t.test('providerSaysVerified: only true or "true"', async (t) => {
  for (const yes of [true, 'true', 'TRUE', ' true ']) t.ok(providerSaysVerified(yes), String(yes));
  for (const no of [false, 'false', undefined, null, 1, 'yes', '', {}]) {
    t.notOk(providerSaysVerified(no), JSON.stringify(no) ?? 'undefined');
  }
});

t.test('linkDecision: the contract linking rule', async (t) => {
  t.equal(linkDecision(user(), profile()), 'link', 'both verified');
  t.equal(
    linkDecision(user({ status: 'unverified', emailVerifiedAt: null }), profile()),
    'claim',
    'provider verified, local unverified: the provider wins',
  );
  t.equal(linkDecision(user(), profile({ emailVerified: false })), 'require_password');
  t.equal(
    linkDecision(user({ status: 'unverified' }), profile({ emailVerified: false })),
    'require_password',
  );
  t.equal(linkDecision(user(), profile({ email: null })), 'require_password');
  t.equal(linkDecision(user(), profile({ email: 'other@example.com' })), 'require_password');
});

t.test('signInMethodsLeft: a password counts as one', async (t) => {
  const oidc = { provider: 'oidc' as const };
  const github = { provider: 'github' as const };
  t.equal(signInMethodsLeft({ passwordHash: null }, [oidc], 'oidc'), 0);
  t.equal(signInMethodsLeft({ passwordHash: 'h' }, [oidc], 'oidc'), 1);
  t.equal(signInMethodsLeft({ passwordHash: null }, [oidc, github], 'oidc'), 1);
});

t.test('safeRedirectTarget: relative paths and listed origins only', async (t) => {
  const allowed = ['https://allowed.example', 'http://localhost:5173', 'not a url'];
  const ok: [string, string][] = [
    ['/', '/'],
    ['/account?x=1#y', '/account?x=1#y'],
    ['/a/../b', '/b'],
    ['/%2F/evil.example', '/%2F/evil.example'],
    ['https://allowed.example', 'https://allowed.example/'],
    ['https://allowed.example/app?x=1', 'https://allowed.example/app?x=1'],
    ['HTTPS://ALLOWED.EXAMPLE/app', 'https://allowed.example/app'],
    ['https://allowed.example:443/x', 'https://allowed.example/x'],
    ['http://localhost:5173/cb', 'http://localhost:5173/cb'],
  ];
  for (const [input, output] of ok) t.equal(safeRedirectTarget(input, allowed), output, input);
  const refused = [
    '',
    'https://evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://allowed.example.evil.example',
    'https://allowed.example@evil.example',
    'https://user:pass@allowed.example/',
    'https://allowed.example:8443/',
    'http://allowed.example/',
    'javascript:alert(1)',
    'data:text/html,x',
    'allowed.example/path',
    '/ok\n/evil',
    '/\tevil',
    ' /account',
    `/${'a'.repeat(2048)}`,
  ];
  for (const input of refused)
    t.equal(safeRedirectTarget(input, allowed), null, JSON.stringify(input));
  t.equal(safeRedirectTarget('https://allowed.example/', []), null, 'no origins: relative only');
});
