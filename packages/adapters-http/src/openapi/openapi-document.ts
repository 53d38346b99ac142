import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { UNLIMITED_URLS } from '../plugins/rate-limit.js';
import { PROBLEM_MEDIA_TYPE } from '../schemas/responses.js';

export interface OpenApiOptions {
  /** `PUBLIC_URL`: the document's server (default `/`, where the document is served). */
  readonly publicUrl?: string | undefined;
  readonly version?: string;
}

/** Tags in the order the docs show them. */
const TAGS: readonly { name: string; description: string }[] = [
  {
    name: 'Authentication',
    description: 'Register, sign in, rotate the refresh cookie, sign out.',
  },
  { name: 'Email verification', description: 'Verification links and resending them.' },
  { name: 'Password reset', description: 'Forgotten passwords: reset mails and new passwords.' },
  { name: 'Current user', description: 'The signed-in user: profile, password, sessions.' },
  { name: 'Social login', description: 'OAuth 2.0 / OpenID Connect sign-in and linked providers.' },
  { name: 'Administration', description: 'Users, roles and the audit trail (RBAC permissions).' },
  { name: 'Tokens', description: 'Public keys that verify access tokens.' },
  { name: 'Operations', description: 'Liveness and readiness probes.' },
];

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Headers defined once and referenced by every response that carries them. */
const HEADER_COMPONENTS = {
  'X-Request-Id': {
    description:
      'The request id: echoed when the client sent a sane one (`[A-Za-z0-9._:-]{1,128}`), else ' +
      'generated. It is on every log line of the request.',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  'RateLimit-Limit': {
    description: 'Requests allowed per window for this client (IP) on this route.',
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: { type: 'integer' },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the window is full again.',
    schema: { type: 'integer' },
  },
  'WWW-Authenticate': {
    description:
      '`Bearer realm="latchkey"`, with `error="invalid_token"` when a token was sent but is invalid (RFC 6750).',
    schema: { type: 'string' },
  },
} as const;

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  tags?: string[];
  security?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const pascal = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** `get /api/v1/users/me/sessions` → `getUsersMeSessions`; `{id}` → `ById`. */
const operationIdOf = (method: string, path: string): string =>
  method +
  path
    .replace(/^\/api\/v1/, '')
    .split(/[/.-]/)
    .filter((part) => part.length > 0)
    .map((part) => {
      const param = /^\{(.+)\}$/.exec(part);
      return param ? `By${pascal(param[1] ?? '')}` : pascal(part);
    })
    .join('');

const isProblem = (response: Json): boolean =>
  typeof response.content === 'object' &&
  response.content !== null &&
  PROBLEM_MEDIA_TYPE in response.content;

const problem = (status: number, description: string): Json => ({
  description,
  content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** What the contract says about an operation, from its path and security. */
interface Traits {
  /** Under `/api/`: reads the database (503 when it is unavailable). */
  readonly api: boolean;
  /** Rate limited (every route but the probes): 429 and `RateLimit-*`. */
  readonly limited: boolean;
  /** Bearer required (not merely accepted, as by logout): a missing or bad token is a 401. */
  readonly bearer: boolean;
}

const traitsOf = (path: string, security: readonly Json[]): Traits => ({
  api: path.startsWith('/api/'),
  limited: !UNLIMITED_URLS.has(path),
  bearer: security.length > 0 && security.every((scheme) => 'bearerAuth' in scheme),
});

/** The problem responses every such operation can give, unless the route documents them. */
const addProblems = (op: Operation, traits: Traits): void => {
  const add = (status: number, description: string) => {
    op.responses[String(status)] ??= problem(status, description);
  };
  if (op.requestBody) {
    add(400, '`validation_failed` or `invalid_json`.');
    add(413, '`payload_too_large`: the body is over 1 MiB.');
    add(415, '`unsupported_media_type`: a body that is not `application/json`.');
  }
  if (traits.bearer) add(401, '`unauthorized` (no bearer token) or `invalid_token`.');
  if (traits.limited)
    add(429, '`rate_limited`: too many requests; retry after `Retry-After` seconds.');
  add(500, '`internal`: an unexpected error (never with internal details).');
  if (traits.api) {
    add(503, '`service_unavailable`: the database is unreachable or saturated; retry later.');
  }
};

/** The headers every response of such an operation carries. */
const addHeaders = (op: Operation, traits: Traits): void => {
  for (const [status, response] of Object.entries(op.responses)) {
    const headers = { ...((response.headers as Json | undefined) ?? {}) };
    headers['X-Request-Id'] = ref('X-Request-Id');
    if (traits.limited) {
      headers['RateLimit-Limit'] = ref('RateLimit-Limit');
      headers['RateLimit-Remaining'] = ref('RateLimit-Remaining');
      headers['RateLimit-Reset'] = ref('RateLimit-Reset');
    }
    if (isProblem(response) && (status === '429' || status === '503')) {
      headers['Retry-After'] = ref('Retry-After');
    }
    if (status === '401' && traits.bearer) headers['WWW-Authenticate'] = ref('WWW-Authenticate');
    response.headers = headers;
  }
};

/** Adds what the contract promises on every operation, so no route can forget it. */
const decorateOperation = (path: string, method: string, op: Operation): void => {
  op.operationId ??= operationIdOf(method, path);
  op.security ??= [];
  const traits = traitsOf(path, op.security);
  addProblems(op, traits);
  addHeaders(op, traits);
};

/** Completes the generated document: defaults on every operation, tags, header components. */
export const decorateDocument = <T extends Json>(document: T): T => {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  const used = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      decorateOperation(path, method, op);
      for (const tag of op.tags ?? []) used.add(tag);
    }
  }
  const known = TAGS.filter((tag) => used.has(tag.name));
  const extra = [...used]
    .filter((name) => !TAGS.some((tag) => tag.name === name))
    .sort()
    .map((name) => ({ name, description: name }));
  const components = (document.components ?? {}) as Json;
  return {
    ...document,
    tags: [...known, ...extra],
    components: { ...components, headers: { ...HEADER_COMPONENTS } },
  };
};

/** `@fastify/swagger` options: the OpenAPI 3.1 document of every documented route. */
export const openApiDocument = (options: OpenApiOptions = {}): FastifyDynamicSwaggerOptions =>
  ({
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey',
        version: options.version ?? '0.1.0',
        description:
          'User management and authentication API. Every 4xx/5xx body is ' +
          '`application/problem+json` (RFC 9457) with a stable `code`; every response carries ' +
          '`X-Request-Id`. Access tokens are EdDSA JWTs sent as `Authorization: Bearer`; the ' +
          'refresh token travels only in the `refresh_token` cookie.',
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      // Relative by default: the API that serves the document (`/docs/json`).
      servers: [{ url: options.publicUrl ?? '/' }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'The `accessToken` from login or refresh (EdDSA JWT, 15 minutes by default).',
          },
          refreshCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'refresh_token',
            description: 'The opaque refresh token set by login and rotated by refresh.',
          },
        },
      },
    },
    // Shared schemas keep their `$id` as their name (`#/components/schemas/Problem`), not `def-N`.
    refResolver: {
      buildLocalReference: (json: Json, _baseUri: unknown, _fragment: unknown, i: number) =>
        typeof json.$id === 'string' ? json.$id : `def-${String(i)}`,
    },
    transformObject: ({ openapiObject }: { openapiObject: Json }) =>
      decorateDocument(openapiObject),
  }) as FastifyDynamicSwaggerOptions;
