import t from 'tap';
import { GOOD_PASSWORD, startTestServer, uniqueEmail } from './support/test-server.js';

const ts = await startTestServer();
const { app } = ts;
t.teardown(() => ts.close());

t.test('health and ready', async (t) => {
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'ok' });
  const ready = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 200);
  t.equal(ready.json().status, 'ready');
  t.equal(ready.json().checks.database, 'up');
});

t.test('paths match exactly', async (t) => {
  for (const url of ['//api/v1/login', '/api/v1/login/', '/api/v1//login', '/API/v1/login']) {
    const res = await app.inject({
      method: 'POST',
      url,
      payload: { email: 'a@b.co', password: 'x' },
    });
    t.equal(res.statusCode, 404, url);
    t.equal(res.json().code, 'not_found', url);
    t.match(res.headers['content-type'], /application\/problem\+json/);
  }
});

t.test('request ids', async (t) => {
  const echoed = await app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': 'abc-123' },
  });
  t.equal(echoed.headers['x-request-id'], 'abc-123');
  const insane = await app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': 'bad id\u0001<script>' },
  });
  t.not(insane.headers['x-request-id'], 'bad id\u0001<script>');
  t.match(String(insane.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  const notFound = await app.inject({ method: 'GET', url: '/nowhere' });
  t.ok(notFound.headers['x-request-id'], 'also on 404');
});

t.test('bodies', async (t) => {
  const form = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'email=a&password=b',
  });
  t.equal(form.statusCode, 415);
  t.equal(form.json().code, 'unsupported_media_type');
  const text = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    headers: { 'content-type': 'text/plain' },
    payload: '{"email":"a@b.co"}',
  });
  t.equal(text.statusCode, 415);
  const crafted = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    headers: { 'content-type': 'application/json; charset=utf-16' },
    payload: '{}',
  });
  t.equal(crafted.statusCode, 415);
  const jsonx = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    headers: { 'content-type': 'application/jsonx' },
    payload: '{}',
  });
  t.equal(jsonx.statusCode, 415);
  const malformed = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    headers: { 'content-type': 'application/json' },
    payload: '{"email":',
  });
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.json().code, 'invalid_json');
  const proto = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    headers: { 'content-type': 'application/json' },
    payload: `{"email":"${uniqueEmail()}","password":"${GOOD_PASSWORD}","__proto__":{"admin":true}}`,
  });
  t.equal(proto.statusCode, 400);
  const big = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(1024 * 1024 + 10) }),
  });
  t.equal(big.statusCode, 413);
  t.equal(big.json().code, 'payload_too_large');
  const empty = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    headers: { 'content-type': 'application/json' },
    payload: '',
  });
  t.equal(empty.statusCode, 400);
  t.equal(empty.json().code, 'validation_failed');
  const array = await app.inject({ method: 'POST', url: '/api/v1/login', payload: [1, 2] });
  t.equal(array.statusCode, 400);
  const emptyLogout = await app.inject({
    method: 'POST',
    url: '/api/v1/logout',
    headers: { 'content-type': 'application/json' },
    payload: '',
  });
  t.equal(emptyLogout.statusCode, 204, 'bodiless route accepts an empty JSON body');
  const emptyRefresh = await app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    headers: { 'content-type': 'text/plain' },
    payload: '',
  });
  t.equal(emptyRefresh.statusCode, 401, 'bodiless route accepts an empty body of any type');
});

t.test('problem bodies never leak internals', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/nowhere' });
  const body = res.json();
  t.same(Object.keys(body).sort(), ['code', 'detail', 'status', 'title', 'type']);
  t.equal(body.status, 404);
});
