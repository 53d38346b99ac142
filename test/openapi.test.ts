// The OpenAPI document: what the routes generate is a valid OpenAPI 3.1 document (redocly lint,
// the repository's rules) that documents every route completely. (`pnpm openapi:check` keeps the
// committed openapi.json equal to it.)
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { buildDocumentedApp } from './support/documented-app.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Json[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
  parameters?: { in: string; name: string; schema?: Json }[];
  responses: Record<
    string,
    { description?: string; headers?: Json; content?: Record<string, { schema?: Json }> }
  >;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const app = await buildDocumentedApp();
t.teardown(() => app.close());
const document = app.swagger() as unknown as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Json; securitySchemes: Json; headers: Json };
  tags: { name: string; description: string }[];
};
const operations = Object.entries(document.paths).flatMap(([url, item]) =>
  Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${url}`, url, op })),
);

t.test('redocly lint: a valid OpenAPI 3.1 document, no error', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'latchkey-openapi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'openapi.json');
  await writeFile(file, JSON.stringify(document));
  // Not spawnSync: a blocked event loop would make the app shed load (503) afterwards.
  const stdout = await new Promise<string>((resolve) => {
    execFile(
      path.join(root, 'node_modules/.bin/redocly'),
      ['lint', file, '--config', path.join(root, 'redocly.yaml'), '--format', 'json'],
      {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
      (_error, out) => resolve(out),
    );
  });
  const report = JSON.parse(stdout || '{}') as {
    problems?: {
      ruleId: string;
      severity: string;
      message: string;
      location: { pointer: string }[];
    }[];
  };
  t.ok(report.problems, 'redocly reported');
  // The ignore file next to redocly.yaml names openapi.json, not this copy: allow those two.
  const errors = (report.problems ?? []).filter(
    (p) =>
      p.severity === 'error' &&
      !(
        p.ruleId === 'operation-4xx-response' &&
        /~1(health|ready)\//.test(p.location[0]?.pointer ?? '')
      ),
  );
  t.equal(document.openapi, '3.1.0');
  t.same(
    errors.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`),
    [],
    'no problem',
  );
});

t.test('the contract routes are all documented', async (t) => {
  const names = new Set(operations.map((o) => o.name));
  for (const route of [
    'GET /health',
    'GET /ready',
    'GET /.well-known/jwks.json',
    'POST /api/v1/register',
    'POST /api/v1/login',
    'POST /api/v1/refresh',
    'POST /api/v1/logout',
    'GET /api/v1/users/me',
    'PUT /api/v1/users/me',
    'DELETE /api/v1/users/me',
    'POST /api/v1/users/me/password',
    'GET /api/v1/users/me/sessions',
    'DELETE /api/v1/users/me/sessions/{id}',
    'GET /api/v1/verify/{token}',
    'POST /api/v1/verify/resend',
    'POST /api/v1/password/forgot',
    'POST /api/v1/password/reset',
  ]) {
    t.ok(names.has(route), route);
  }
  t.notOk(names.has('GET /metrics'), '/metrics is not part of the API document');
});

type Check = (ok: unknown, message: string) => unknown;

const checkSecurity = (ok: Check, name: string, op: Operation) => {
  ok(Array.isArray(op.security), `${name}: security stated (empty when public)`);
  const security = op.security ?? [];
  for (const key of security.flatMap((scheme) => Object.keys(scheme))) {
    ok(key in document.components.securitySchemes, `${name}: scheme ${key} defined`);
  }
  if (security.length > 0 && security.every((s) => 'bearerAuth' in s)) {
    ok(op.responses['401']?.headers?.['WWW-Authenticate'], `${name}: 401 with WWW-Authenticate`);
  }
};

const checkInput = (ok: Check, name: string, url: string, op: Operation) => {
  if (op.requestBody) {
    const schema = op.requestBody.content?.['application/json']?.schema;
    ok(
      schema?.additionalProperties === false,
      `${name}: JSON body schema, unknown properties refused`,
    );
    for (const status of ['400', '413', '415']) ok(op.responses[status], `${name}: ${status}`);
  }
  for (const param of (op.parameters ?? []).filter((p) => p.in === 'path')) {
    ok(url.includes(`{${param.name}}`) && param.schema, `${name}: path parameter ${param.name}`);
  }
};

const checkOperation = (ok: Check, tags: Set<string>, name: string, url: string, op: Operation) => {
  ok(op.summary, `${name}: summary`);
  ok(op.operationId, `${name}: operationId`);
  ok(op.tags?.length && op.tags.every((tag) => tags.has(tag)), `${name}: declared tags`);
  checkSecurity(ok, name, op);
  checkInput(ok, name, url, op);
  ok(
    Object.keys(op.responses).some((s) => /^[23]\d\d$/.test(s)),
    `${name}: a success response`,
  );
  ok(op.responses['500'], `${name}: 500`);
  if (url.startsWith('/api/')) {
    ok(op.responses['429']?.headers?.['RateLimit-Limit'], `${name}: 429 with RateLimit-*`);
    ok(op.responses['503'], `${name}: 503`);
  }
};

const checkResponse = (
  ok: Check,
  name: string,
  problem: boolean,
  status: string,
  response: Operation['responses'][string],
) => {
  ok(response.description, `${name} ${status}: description`);
  ok(response.headers?.['X-Request-Id'], `${name} ${status}: X-Request-Id`);
  if (!problem) return;
  const schema = response.content?.['application/problem+json']?.schema;
  ok(schema?.$ref === '#/components/schemas/Problem', `${name} ${status}: problem+json`);
  if (status === '429' || status === '503') {
    ok(response.headers?.['Retry-After'], `${name} ${status}: Retry-After`);
  }
};

t.test(
  'every operation: summary, tag, operationId, security, request schema, responses',
  async (t) => {
    const tags = new Set(document.tags.map((tag) => tag.name));
    const ok: Check = (value, message) => t.ok(value, message);
    for (const { name, url, op } of operations) {
      checkOperation(ok, tags, name, url, op);
      for (const [status, response] of Object.entries(op.responses)) {
        // /ready's 503 keeps its own shape (contract), for load balancers.
        const problem = Number(status) >= 400 && !(url === '/ready' && status === '503');
        checkResponse(ok, name, problem, status, response);
      }
    }
  },
);

t.test('contract headers of particular responses', async (t) => {
  const op = (method: string, url: string): Operation | undefined => document.paths[url]?.[method];
  const header = (method: string, url: string, status: string, name: string): unknown =>
    op(method, url)?.responses[status]?.headers?.[name];
  t.ok(header('post', '/api/v1/register', '201', 'Location'), 'register: Location');
  t.ok(header('post', '/api/v1/login', '200', 'Set-Cookie'), 'login: Set-Cookie');
  t.ok(header('post', '/api/v1/refresh', '200', 'Set-Cookie'), 'refresh: Set-Cookie');
  t.ok(header('post', '/api/v1/refresh', '401', 'Set-Cookie'), 'refresh 401 clears it');
  t.ok(header('post', '/api/v1/logout', '204', 'Set-Cookie'), 'logout clears it');
  t.same(op('post', '/api/v1/refresh')?.security, [{ refreshCookie: [] }]);
  t.same(op('get', '/api/v1/users/me')?.security, [{ bearerAuth: [] }]);
  t.same(op('post', '/api/v1/login')?.security, []);
  t.notOk(op('post', '/api/v1/logout')?.responses['401'], 'logout never answers 401');
  t.ok(document.components.schemas.Problem, 'Problem is a named component');
  t.ok(document.components.schemas.User, 'User is a named component');
});

t.test('served at /docs/json and /docs', async (t) => {
  const json = await app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(json.statusCode, 200);
  t.same(json.json(), JSON.parse(JSON.stringify(document)));
  const ui = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
});
