import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp, type AppDeps } from '@latchkey/adapters-http';
import { InProcessRateLimitStore } from '@latchkey/application';
import { FixedClock } from './in-memory/fixed-clock.js';

/**
 * Use cases that are never called: the document needs the routes only. Any property read
 * returns a function that rejects, so a new use case needs no change here.
 */
const neverCalled = <T extends object>(): T =>
  new Proxy({} as T, {
    get: (_target, name) => () =>
      Promise.reject(new Error(`${String(name)}: not available while documenting`)),
  });

/** AppDeps over test stand-ins: no database; use cases reject unless `overrides` give them. */
export const stubAppDeps = (overrides: Partial<AppDeps> = {}): AppDeps => ({
  useCases: neverCalled(),
  admin: neverCalled(),
  // Every provider configured, so that every social login route is documented.
  oauth: {
    useCases: someUseCases<NonNullable<AppDeps['oauth']>['useCases']>({
      providers: ['google', 'github', 'oidc'],
    }),
    cookieSecret: new Uint8Array(32),
    stateTtl: 600,
  },
  authentication: {
    publicKey: async () => null,
    sessionGuard: async () => false,
    issuedAtMs: () => null,
    issuer: 'latchkey',
    audience: 'latchkey',
  },
  jwks: () => [],
  readiness: async () => ({ database: 'up', redis: 'disabled' }),
  isUnavailable: () => false,
  metrics: { registry: new Registry() },
  protection: {
    rateLimit: {
      store: new InProcessRateLimitStore(new FixedClock()),
      max: 100,
      authMax: 5,
      windowSeconds: 60,
    },
    cors: { origins: [] },
  },
  ...overrides,
});

/**
 * The app with every route registered over test stand-ins (no database, no listen): what
 * `scripts/generate-openapi.ts` documents. Rate limits are on, as in production, so limited
 * routes are documented with `RateLimit-*`.
 */
export const buildDocumentedApp = async (publicUrl?: string): Promise<FastifyInstance> => {
  const app = await buildApp(stubAppDeps(publicUrl === undefined ? {} : { publicUrl }));
  await app.ready();
  return app;
};

/** Use cases where `given` ones are real and the others reject. */
export const someUseCases = <T extends object>(given: Partial<T>): T =>
  new Proxy(neverCalled<T>(), {
    get: (target, name) =>
      (given as Record<string | symbol, unknown>)[name] ?? Reflect.get(target, name),
  });
