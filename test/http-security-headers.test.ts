import type { LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import { startTestServer } from './support/test-server.js';

const ALLOWED = 'https://app.example.com';
const ts = await startTestServer({ CORS_ORIGINS: `${ALLOWED},https://admin.example.com` });
t.teardown(() => ts.close());
const { app } = ts;

const API_CSP = "default-src 'none';frame-ancestors 'none'";

const assertSecurityHeaders = (
  t: Test,
  res: LightMyRequestResponse,
  name: string,
  csp = API_CSP,
) => {
  t.equal(res.headers['content-security-policy'], csp, `${name}: CSP`);
  const hsts = /max-age=(\d+)/.exec(String(res.headers['strict-transport-security']));
  t.ok(hsts && Number(hsts[1]) >= 15_552_000, `${name}: HSTS max-age >= 180 days`);
  t.equal(res.headers['x-frame-options'], 'DENY', `${name}: X-Frame-Options`);
  t.equal(res.headers['x-content-type-options'], 'nosniff', `${name}: nosniff`);
  t.equal(res.headers['referrer-policy'], 'no-referrer', `${name}: Referrer-Policy`);
  t.notOk('x-powered-by' in res.headers, `${name}: no X-Powered-By`);
};

t.test('security headers on every kind of response', async (t) => {
  const cases: [string, () => Promise<LightMyRequestResponse>][] = [
    ['200 /health', () => app.inject({ method: 'GET', url: '/health' })],
    ['200 /ready', () => app.inject({ method: 'GET', url: '/ready' })],
    ['200 jwks', () => app.inject({ method: 'GET', url: '/.well-known/jwks.json' })],
    ['401', () => app.inject({ method: 'GET', url: '/api/v1/users/me' })],
    ['400', () => app.inject({ method: 'POST', url: '/api/v1/login', payload: { email: 1 } })],
    ['404', () => app.inject({ method: 'GET', url: '/nope' })],
    [
      '415',
      () =>
        app.inject({
          method: 'POST',
          url: '/api/v1/login',
          headers: { 'content-type': 'text/plain' },
          payload: 'x',
        }),
    ],
  ];
  for (const [name, send] of cases) assertSecurityHeaders(t, await send(), name);
});

t.test('a 429 carries them too', async (t) => {
  const limited = await startTestServer({ RATE_LIMIT_MAX: '1', RATE_LIMIT_AUTH_MAX: '1' });
  t.teardown(() => limited.close());
  await limited.app.inject({ method: 'GET', url: '/api/v1/users/me' });
  const res = await limited.app.inject({ method: 'GET', url: '/api/v1/users/me' });
  t.equal(res.statusCode, 429);
  assertSecurityHeaders(t, res, '429');
});

t.test('the docs page gets its own CSP, still without unsafe-inline', async (t) => {
  const index = await app.inject({ method: 'GET', url: '/docs/static/index.html' });
  const csp = String(index.headers['content-security-policy']);
  t.match(csp, /default-src 'none'/);
  t.match(csp, /script-src 'self'/);
  t.match(csp, /style-src 'self'/);
  t.match(csp, /frame-ancestors 'none'/);
  t.notMatch(csp, /unsafe-inline|unsafe-eval/);
  const bundle = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
  t.equal(bundle.statusCode, 200);
  t.equal(bundle.headers['content-security-policy'], csp, 'same CSP on the page assets');
  t.equal(bundle.headers['x-frame-options'], 'DENY');
  const json = await app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(json.statusCode, 200);
});

t.test('CORS: an allowed origin', async (t) => {
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { origin: ALLOWED },
  });
  t.equal(res.headers['access-control-allow-origin'], ALLOWED, 'the origin itself, never *');
  t.equal(res.headers['access-control-allow-credentials'], 'true');
  t.match(res.headers['access-control-expose-headers'], /ratelimit-remaining/);
  t.match(res.headers.vary, /Origin/);
});

t.test('CORS: preflight from an allowed origin', async (t) => {
  const res = await app.inject({
    method: 'OPTIONS',
    url: '/api/v1/users/me',
    headers: {
      origin: ALLOWED,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
  t.equal(res.statusCode, 204);
  t.equal(res.headers['access-control-allow-origin'], ALLOWED);
  t.equal(res.headers['access-control-allow-credentials'], 'true');
  t.match(res.headers['access-control-allow-methods'], /PUT/);
  t.match(res.headers['access-control-allow-headers'], /authorization/);
  t.match(res.headers['access-control-max-age'], /^\d+$/);
});

t.test('CORS: other origins, and no origin, get no CORS header at all', async (t) => {
  const cases: [string, Record<string, string>][] = [
    ['disallowed', { origin: 'https://evil.example.com' }],
    ['look-alike', { origin: `${ALLOWED}.evil.com` }],
    ['other scheme', { origin: 'http://app.example.com' }],
    ['null origin', { origin: 'null' }],
    ['no origin', {}],
  ];
  for (const [name, headers] of cases) {
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers });
    const cors = Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));
    t.same(cors, [], `${name}: no Access-Control-* headers`);
    t.equal(res.statusCode, 401, `${name}: the request itself is answered as usual`);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/users/me',
      headers: { ...headers, 'access-control-request-method': 'GET' },
    });
    t.same(
      Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-')),
      [],
      `${name}: preflight gets no CORS headers`,
    );
    t.equal(preflight.statusCode, 404, `${name}: preflight is not answered`);
  }
});

t.test('CORS: with no CORS_ORIGINS (the default) nobody gets CORS headers', async (t) => {
  const closed = await startTestServer();
  t.teardown(() => closed.close());
  const res = await closed.app.inject({
    method: 'GET',
    url: '/health',
    headers: { origin: ALLOWED },
  });
  t.notOk(res.headers['access-control-allow-origin']);
});
