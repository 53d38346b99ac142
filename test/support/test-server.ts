import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  composeServer,
  loadConfig,
  type ComposeOptions,
  type Config,
  type Server,
} from '@latchkey/server';
import { createTestDatabase } from '../helpers/database.js';

export interface TestServer {
  readonly app: FastifyInstance;
  readonly server: Server;
  readonly config: Config;
  readonly databaseUrl: string;
  /** Stops the composition as SIGTERM does (the database stays, for checks after it). */
  stop(): Promise<void>;
  /** Stops it (unless stopped) and drops its database. */
  close(): Promise<void>;
}

/**
 * The real composition over a fresh, migrated database of its own, in the `test` profile.
 * `env` adds or overrides settings (as environment variables); `compose` adds composition
 * options (a logger, error tracking).
 */
export const startTestServer = async (
  env: Record<string, string> = {},
  compose: Pick<ComposeOptions, 'logger' | 'errorTracking'> = {},
): Promise<TestServer> => {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-test-'));
  const config = loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    WORKER_ENABLED: 'false',
    // Suites register many users from 127.0.0.1: per-IP limits stay out of their way unless a
    // test sets the real ones (test/http-rate-limit.test.ts).
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_AUTH_MAX: '1000000',
    ...env,
  });
  const kek = Buffer.from(config.keyEncryptionKey ?? '', 'base64');
  const server = await composeServer({ ...compose, config, databaseUrl: database.url, kek });
  await server.app.ready();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= server.close());
  return {
    app: server.app,
    server,
    config,
    databaseUrl: database.url,
    stop,
    async close() {
      await stop();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** A password that passes the policy. */
export const GOOD_PASSWORD = 'correct horse battery staple';

let counter = 0;
/** A unique email for this test process. */
export const uniqueEmail = (prefix = 'user'): string =>
  `${prefix}.${process.pid}.${Date.now()}.${++counter}@example.com`;

/** Extracts `refresh_token` from a response's Set-Cookie headers. */
export const refreshCookieOf = (setCookie: string | string[] | undefined): string | null => {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  for (const cookie of all) {
    const match = /^refresh_token=([^;]*)/.exec(cookie);
    if (match) return match[1] ?? null;
  }
  return null;
};

/** Registers and signs in a user; returns its tokens. */
export const signUp = async (
  app: FastifyInstance,
  email = uniqueEmail(),
  password = GOOD_PASSWORD,
): Promise<{ email: string; accessToken: string; refreshToken: string; userId: string }> => {
  const reg = await app.inject({
    method: 'POST',
    url: '/api/v1/register',
    payload: { email, password },
  });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.statusCode} ${reg.body}`);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ accessToken: string; user: { id: string } }>();
  return {
    email,
    accessToken: body.accessToken,
    refreshToken: refreshCookieOf(res.headers['set-cookie']) ?? '',
    userId: body.user.id,
  };
};
