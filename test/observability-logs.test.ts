import { setImmediate as tick } from 'node:timers/promises';
import t from 'tap';
import { buildApp, type AccountUseCases } from '@latchkey/adapters-http';
import { createLogger, inJobLogScope } from '@latchkey/server';
import { someUseCases, stubAppDeps } from './support/documented-app.js';
import { refreshCookieOf, startTestServer, uniqueEmail } from './support/test-server.js';

type Line = Record<string, unknown> & { msg?: string; requestId?: string };

/** A pino destination that keeps every line. */
const capture = () => {
  const raw: string[] = [];
  return {
    stream: { write: (line: string) => void raw.push(line) },
    text: () => raw.join(''),
    lines: (): Line[] => raw.map((line) => JSON.parse(line) as Line),
  };
};

t.test('secrets sent in requests never reach the log, at any level', async (t) => {
  const out = capture();
  const ts = await startTestServer({}, { logger: createLogger('trace', out.stream) });
  t.teardown(() => ts.close());
  const { app } = ts;
  const password = 'Correct-Horse-Battery-9137';
  const wrongPassword = 'Wrong-Horse-Battery-2468';
  const newPassword = 'Another-Horse-Battery-5791';
  const email = uniqueEmail('logs');
  const verifyToken = 'vErIfYtOkEn0123456789abcdefghijklmnopqrstu';
  const resetToken = 'rEsEtToKeN0123456789abcdefghijklmnopqrstuv';

  const reg = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    payload: { email, password },
  });
  t.equal(reg.statusCode, 201);
  const wrong = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email, password: wrongPassword },
  });
  t.equal(wrong.statusCode, 401);
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email, password },
  });
  t.equal(login.statusCode, 200);
  const accessToken = login.json<{ accessToken: string }>().accessToken;
  const refreshToken = refreshCookieOf(login.headers['set-cookie']) ?? '';
  t.ok(refreshToken.length > 20);
  const bearer = { authorization: `Bearer ${accessToken}` };

  const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer });
  t.equal(me.statusCode, 200);
  const refreshed = await app.inject({
    method: 'POST',
    url: '/api/v1/refresh',
    headers: { cookie: `refresh_token=${refreshToken}` },
  });
  t.equal(refreshed.statusCode, 200);
  const rotated = refreshCookieOf(refreshed.headers['set-cookie']) ?? '';
  const change = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: bearer,
    payload: { currentPassword: password, newPassword },
  });
  t.equal(change.statusCode, 204);
  await app.inject({ method: 'GET', url: `/api/v1/verify/${verifyToken}` });
  await app.inject({
    method: 'POST',
    url: '/api/v1/password/reset',
    payload: { token: resetToken, password: newPassword },
  });
  await app.inject({ method: 'GET', url: `/account/reset-password?token=${resetToken}` });
  const logout = await app.inject({
    method: 'POST',
    url: '/api/v1/logout',
    headers: { ...bearer, cookie: `refresh_token=${rotated}` },
  });
  t.equal(logout.statusCode, 204);

  const text = out.text();
  t.ok(out.lines().length > 10, 'requests were logged');
  const secrets = {
    password,
    wrongPassword,
    newPassword,
    accessToken,
    refreshToken,
    rotated,
    verifyToken,
    resetToken,
  };
  for (const [name, secret] of Object.entries(secrets)) {
    t.notOk(text.includes(secret), `${name} is not in the log`);
  }
  t.ok(text.includes('/api/v1/verify/[redacted]'), 'the verification URL is logged redacted');
});

t.test('one request id on every line of a request', async (t) => {
  const out = capture();
  const ts = await startTestServer({}, { logger: createLogger('debug', out.stream) });
  t.teardown(() => ts.close());
  const res = await ts.app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email: uniqueEmail(), password: 'whatever it is' },
    headers: { 'x-request-id': 'trace-me-123' },
  });
  t.equal(res.headers['x-request-id'], 'trace-me-123');
  const lines = out.lines().filter((line) => line.requestId === 'trace-me-123');
  t.same(
    lines.map((line) => [line.level, line.msg]),
    [
      [20, 'incoming request'],
      [30, 'request completed'],
    ],
    'the request is followed from start (debug) to end (info, one access line) by its id',
  );
  t.match(lines[1], {
    req: { method: 'POST', url: '/api/v1/login' },
    res: { statusCode: 401 },
    responseTime: Number,
  });
  const probe = await ts.app.inject({
    method: 'GET',
    url: '/ready',
    headers: { 'x-request-id': 'probe-1' },
  });
  t.equal(probe.statusCode, 200);
  t.notOk(
    out.lines().some((line) => line.requestId === 'probe-1'),
    'probes are not logged below warn',
  );
  const generated = await ts.app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': 'bad id!' },
  });
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'an insane id is replaced');
});

t.test('lines written while serving a request carry its id, once', async (t) => {
  const out = capture();
  const logger = createLogger('info', out.stream);
  // A use case failing unexpectedly after a few async hops: the error handler writes the error
  // through the request's logger.
  const app = await buildApp(
    stubAppDeps({
      logger,
      useCases: someUseCases<AccountUseCases>({
        register: async () => {
          await tick();
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw new Error('boom');
        },
      }),
    }),
  );
  t.teardown(() => app.close());
  // A real socket and a body in many chunks (whitespace keeps the JSON valid).
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const res = await fetch(`${base}/api/v1/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'scope-42' },
    body: `{"email": "a@example.com",${' '.repeat(512 * 1024)}"password": "long enough password"}`,
  });
  t.equal(res.status, 500);
  const error = out.lines().find((l) => l.msg === 'unhandled error');
  t.equal(error?.requestId, 'scope-42', 'the error line has the request id');
  t.match(error, { err: { message: 'boom' } });
  logger.info('outside any request');
  const outside = out.lines().find((l) => l.msg === 'outside any request');
  t.equal(outside?.requestId, undefined, 'no request id outside a request');
  for (const line of out
    .text()
    .split('\n')
    .filter((l) => l.includes('scope-42'))) {
    t.equal(line.match(/"requestId"/g)?.length, 1, 'never twice on a line');
  }
});

t.test('lines written by a job carry its job id and task', async (t) => {
  const out = capture();
  const logger = createLogger('info', out.stream);
  const tasks = inJobLogScope({
    send_mail: async () => {
      await tick();
      logger.info('sending');
    },
  });
  await tasks.send_mail?.({}, { jobId: '77', attempt: 2 });
  const line = out.lines().find((l) => l.msg === 'sending');
  t.equal(line?.jobId, '77');
  t.equal(line?.task, 'send_mail');
  t.equal(line?.attempt, 2);
  logger.info('after the job');
  const after = out.lines().find((l) => l.msg === 'after the job');
  t.equal(after?.jobId, undefined, 'the scope ends with the job');
});

t.test('a job ending does not end the scope of another still running', async (t) => {
  const out = capture();
  const logger = createLogger('info', out.stream);
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const tasks = inJobLogScope({
    quick: async () => {
      await tick();
    },
    slow: async () => {
      await released;
      await tick();
      logger.info('slow job done');
    },
  });
  const slow = tasks.slow?.({}, { jobId: 's1' });
  await tasks.quick?.({}, { jobId: 'q1' });
  release();
  await slow;
  t.equal(out.lines().find((l) => l.msg === 'slow job done')?.jobId, 's1');
});

t.test('secret keys are redacted at any depth, in errors too, whatever their case', async (t) => {
  const out = capture();
  const logger = createLogger('info', out.stream);
  logger.info(
    {
      body: {
        email: 'a@example.com',
        password: 'p-one',
        nested: { deeper: { newPassword: 'p-two' } },
      },
      headers: {
        Authorization: 'Bearer t-one',
        Cookie: 'refresh_token=t-two',
        'set-cookie': ['t-three'],
      },
      sessions: [{ id: 's1', refreshToken: 't-four' }],
      user: { id: 'u1', passwordHash: '$argon2id$h-one' },
      when: new Date(0),
    },
    'objects',
  );
  logger.error(
    Object.assign(new Error('call failed'), { config: { token: 't-five' } }),
    'an error',
  );
  const text = out.text();
  for (const secret of [
    'p-one',
    'p-two',
    't-one',
    't-two',
    't-three',
    't-four',
    't-five',
    'h-one',
  ]) {
    t.notOk(text.includes(secret), `${secret} redacted`);
  }
  const [objects] = out.lines();
  t.match(objects, {
    body: { email: 'a@example.com', password: '[redacted]' },
    sessions: [{ id: 's1', refreshToken: '[redacted]' }],
    user: { id: 'u1' },
    when: '1970-01-01T00:00:00.000Z',
  });
});
