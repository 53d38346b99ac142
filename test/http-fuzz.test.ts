import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { createPool } from '@latchkey/adapters-postgres';
import t from 'tap';
import { GOOD_PASSWORD, signUp, startTestServer, uniqueEmail } from './support/test-server.js';

/**
 * Property: whatever body reaches a route (wrong types, huge strings, deep nesting, `__proto__`
 * keys, NUL bytes, emoji, malformed or oversized JSON), the answer is never a 5xx and no row
 * changes. Every generated body carries at least one defect that the contract says must be
 * refused, so a 2xx on a JSON route is a failure too.
 */

const ts = await startTestServer();
const { app } = ts;
const db = createPool({ connectionString: ts.databaseUrl, max: 2 });
t.teardown(async () => {
  await db.end();
  await ts.close();
});

interface Operation {
  readonly method: string;
  readonly url: string;
  /** Property names of the JSON body schema; null when the route takes no body. */
  readonly fields: readonly string[] | null;
}

/** Every operation of the OpenAPI document that takes a JSON body, or a POST without one. */
const operations = async (app: FastifyInstance, ids: { userId: string }): Promise<Operation[]> => {
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<
      string,
      Record<
        string,
        { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }
      >
    >;
  }>();
  const ops: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    const url = path
      .replace('{id}', ids.userId)
      .replace('{provider}', 'google')
      .replace('{token}', 'x'.repeat(43));
    for (const [method, op] of Object.entries(byMethod)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (schema)
        ops.push({
          method: method.toUpperCase(),
          url,
          fields: Object.keys(schema.properties ?? {}),
        });
      else if (method === 'post') ops.push({ method: 'POST', url, fields: null });
    }
  }
  return ops;
};

// ---- generated values -------------------------------------------------------------------

const emoji = fc.constantFrom('😀', '👩‍👩‍👧‍👦', '🏳️‍🌈', '𝕏', 'é', 'ﬁ', '\u202e', '\ufeff');
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.array(emoji, { minLength: 1, maxLength: 200 }).map((xs) => xs.join('')),
  fc.constantFrom(
    '',
    ' ',
    'a@b.co',
    GOOD_PASSWORD,
    'null',
    '{}',
    '<script>alert(1)</script>',
    "' or 1=1 --",
  ),
  fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)),
);
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
})).value;
/** Anything but a string or null: wrong for every field of these schemas. */
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string(), scalar, { minKeys: 1, maxKeys: 3 }),
);
const nested = (depth: number, leaf: string): string =>
  depth % 2 === 0
    ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

interface Body {
  readonly defect: string;
  readonly payload: string | Buffer;
}

const knownFields = (fields: readonly string[]) =>
  fc.record(Object.fromEntries(fields.map((f) => [f, fc.option(json, { nil: undefined })])), {
    requiredKeys: [],
  });

const withKnown = (
  fields: readonly string[],
  extra: (base: Record<string, unknown>) => fc.Arbitrary<string>,
) =>
  knownFields(fields).chain((base) => {
    const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined));
    return extra(clean);
  });

/** A body with at least one defect the contract refuses, for a route with `fields`. */
const badBody = (fields: readonly string[]): fc.Arbitrary<Body> => {
  const known = new Set(fields);
  const tag =
    (defect: string) =>
    (payload: string | Buffer): Body => ({ defect, payload });
  const field = fc.constantFrom(...(fields.length > 0 ? fields : ['email']));
  return fc.oneof(
    // mass assignment: a property the schema does not declare
    withKnown(fields, (base) =>
      fc
        .tuple(
          fc.oneof(
            fc.string({ minLength: 1 }),
            fc.constantFrom('roles', 'status', 'passwordHash', 'id', 'isAdmin', 'emailVerifiedAt'),
          ),
          json,
        )
        .filter(([key]) => !known.has(key))
        .map(([key, value]) => JSON.stringify({ ...base, [key]: value })),
    ).map(tag('unknown property')),
    // wrong types for every declared field
    fc
      .record(Object.fromEntries(fields.map((f) => [f, wrongType])))
      .filter((o) => Object.keys(o).length > 0)
      .map((o) => JSON.stringify(o))
      .map(tag('wrong types')),
    // NUL characters
    withKnown(fields, (base) =>
      fc.tuple(field, text).map(([f, s]) => JSON.stringify({ ...base, [f]: `${s}\u0000${s}` })),
    ).map(tag('NUL byte')),
    // lone surrogate (invalid Unicode, valid JSON)
    withKnown(fields, (base) =>
      field.map((f) => JSON.stringify({ ...base, [f]: 'x' }).replace('"x"', '"\\ud83dabc"')),
    ).map(tag('lone surrogate')),
    // prototype pollution attempts
    fc
      .tuple(fc.constantFrom('"__proto__"', '"constructor"'), json)
      .map(([key, value]) =>
        key === '"constructor"'
          ? `{"constructor":{"prototype":{"isAdmin":true}},"x":${JSON.stringify(value) ?? 'null'}}`
          : `{${key}:{"isAdmin":true,"roles":["admin"]},"email":"a@b.co"}`,
      )
      .map(tag('__proto__ key')),
    // deep nesting in a field, or as the whole body
    fc
      .tuple(field, fc.integer({ min: 40, max: 20_000 }))
      .map(([f, depth]) => `{"${f}":${nested(depth, '"x"')}}`)
      .map(tag('deep nesting')),
    fc
      .integer({ min: 40, max: 20_000 })
      .map((depth) => nested(depth, '1'))
      .map(tag('deep nesting (top level)')),
    // not an object
    fc
      .oneof(scalar, fc.array(json, { maxLength: 3 }))
      .map((v) => JSON.stringify(v) ?? 'null')
      .map(tag('not an object')),
    // not JSON / not UTF-8 / too large
    fc
      .string({ minLength: 1 })
      .filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map(tag('malformed JSON')),
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((bytes) =>
        Buffer.concat([
          Buffer.from('{"email":"'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from(bytes),
          Buffer.from('"}'),
        ]),
      )
      .map(tag('invalid UTF-8')),
    fc
      .constantFrom(1024 * 1024 + 1, 3 * 1024 * 1024)
      .map((n) => JSON.stringify({ [fields[0] ?? 'email']: 'y'.repeat(n) }))
      .map(tag('over 1 MiB')),
  );
};

// ---- the state that must not change ------------------------------------------------------

/** A digest of every table of the public schema; audit rows are checked separately. */
const snapshot = async (): Promise<Record<string, string>> => {
  const { rows: tables } = await db.query<{ name: string }>(
    `select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not in ('audit_events')
      order by 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    // last_used_at moves on every authenticated request: not a change of state.
    const { rows } = await db.query<{ digest: string | null; n: number }>(
      `select md5(string_agg((to_jsonb(x) - 'last_used_at')::text, ',' order by (to_jsonb(x) - 'last_used_at')::text)) as digest,
              count(*)::int as n
         from "${name}" x`,
    );
    out[name] = `${rows[0]?.n}:${rows[0]?.digest}`;
  }
  return out;
};

t.test('generated bodies on every JSON route: never a 5xx, never a changed row', async (t) => {
  const user = await signUp(app, uniqueEmail('fuzz'));
  const admin = await signUp(app, uniqueEmail('fuzz-admin'));
  await db.query(
    `insert into user_roles (user_id, role_name) values ($1, 'admin') on conflict do nothing`,
    [admin.userId],
  );
  const adminLogin = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: admin.email, password: GOOD_PASSWORD },
  });
  const adminToken = adminLogin.json<{ accessToken: string }>().accessToken;
  const ops = await operations(app, user);
  t.ok(
    ops.filter((o) => o.fields !== null).length >= 7,
    `JSON routes found: ${ops.map((o) => `${o.method} ${o.url}`).join(', ')}`,
  );

  const before = await snapshot();
  const { rows: auditBefore } = await db.query<{ n: number }>(
    'select count(*)::int as n from audit_events',
  );
  const seen = new Map<string, number>();

  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ops).chain((op) =>
        fc.record({
          op: fc.constant(op),
          body: badBody(op.fields ?? ['email', 'password']),
          auth: fc.constantFrom('none', 'user', 'admin'),
        }),
      ),
      async ({ op, body, auth }) => {
        const bodyless = op.fields === null;
        const token = bodyless
          ? null
          : auth === 'user'
            ? user.accessToken
            : auth === 'admin'
              ? adminToken
              : null;
        const res = await app.inject({
          method: op.method as 'POST',
          url: op.url,
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          payload: body.payload,
        });
        seen.set(body.defect, (seen.get(body.defect) ?? 0) + 1);
        if (res.statusCode >= 500)
          throw new Error(
            `${op.method} ${op.url} (${body.defect}): ${res.statusCode} ${res.body.slice(0, 300)}`,
          );
        if (!bodyless && res.statusCode < 400) {
          throw new Error(
            `${op.method} ${op.url} accepted a bad body (${body.defect}): ${res.statusCode} ${String(body.payload).slice(0, 200)}`,
          );
        }
        if (
          res.statusCode >= 400 &&
          !/^application\/problem\+json/.test(String(res.headers['content-type']))
        ) {
          throw new Error(`${op.method} ${op.url}: ${res.statusCode} without a problem body`);
        }
      },
    ),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 400), endOnFailure: true },
  );
  t.comment(`defects sent: ${[...seen].map(([d, n]) => `${d}=${n}`).join(', ')}`);
  t.ok(seen.size >= 10, 'every kind of defect was sent');

  t.same(await snapshot(), before, 'no row changed in any table');
  const { rows: newAudit } = await db.query<{ type: string }>(
    'select distinct type from audit_events offset 0',
  );
  const { rows: auditAfter } = await db.query<{ n: number }>(
    'select count(*)::int as n from audit_events',
  );
  t.ok((auditAfter[0]?.n ?? 0) >= (auditBefore[0]?.n ?? 0), 'audit is append-only');
  t.notOk(
    newAudit.some(
      (r) =>
        ![
          'user.registered',
          'user.login_succeeded',
          'user.login_failed',
          'user.login_locked',
        ].includes(r.type),
    ),
    `only sign-up, sign-in and failed logins were audited (${newAudit.map((r) => r.type).join(', ')})`,
  );
});
