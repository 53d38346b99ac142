import fastifyRateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, type Registry } from 'prom-client';
import type { RateLimitStore } from '@latchkey/domain';
import { clientKey } from '../client-address.js';
import { HttpProblem } from '../errors/problem.js';

/** Per-IP token buckets. */
export interface RateLimitOptions {
  /** Where the buckets live (Redis shared by every instance, or this process). */
  readonly store: RateLimitStore;
  /** Requests per window per client IP on every limited route together (default bucket). */
  readonly max: number;
  /** Requests per window per client IP on each of `SENSITIVE_ROUTES`, one bucket per route. */
  readonly authMax: number;
  readonly windowSeconds: number;
  readonly registry: Registry;
}

/**
 * Routes with a bucket of their own per IP (`authMax`), keyed by method and URL so that a route
 * gets its limit whenever (and wherever) it is registered.
 */
export const SENSITIVE_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/register',
  'POST /api/v1/login',
  'POST /api/v1/password/forgot',
  'POST /api/v1/password/reset',
]);

/** Operations endpoints: never limited (probes and scrapers must always get through). */
export const UNLIMITED_URLS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

type Incr = FastifyRateLimitStore['incr'];

/**
 * Adapts the `RateLimitStore` port to @fastify/rate-limit's store: `current > max` means refused,
 * `ttl` becomes `RateLimit-Reset` (time to a full bucket) or `Retry-After` (time to the next
 * token). Each route configured with its own limit gets a child with its own key space.
 */
const storeClass = (port: RateLimitStore) => {
  class PortStore implements FastifyRateLimitStore {
    readonly prefix: string;

    /** The plugin passes its settings; `child` passes the key prefix of a route. */
    constructor(optionsOrPrefix: unknown) {
      this.prefix = typeof optionsOrPrefix === 'string' ? optionsOrPrefix : 'all|';
    }

    incr(key: string, callback: Parameters<Incr>[1], timeWindow: number, max: number): void {
      port.take(this.prefix + key, max, timeWindow).then(
        (r) =>
          callback(null, {
            current: r.allowed ? max - r.remaining : max + 1,
            ttl: r.allowed ? r.resetMs : r.retryAfterMs,
          }),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: RouteOptions & { path: string; prefix: string }): FastifyRateLimitStore {
      // At run time the plugin passes its merged settings, with the route under `routeInfo`.
      const route = (
        routeOptions as unknown as { routeInfo: { method: string | string[]; url: string } }
      ).routeInfo;
      const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
      return new PortStore(`${method} ${route.url}|`);
    }
  }
  return PortStore;
};

const methodsOf = (route: RouteOptions): string[] =>
  Array.isArray(route.method) ? route.method : [route.method];

/**
 * Per-IP rate limits (contract "Protection"): one default bucket per client IP for every route,
 * one bucket per route and IP on `SENSITIVE_ROUTES`, none on `UNLIMITED_URLS`; unmatched URLs
 * (404) draw from the default bucket, so no spelling of a path is an unlimited alias. Limited
 * responses carry `RateLimit-Limit/Remaining/Reset`; refused ones are 429 `rate_limited` with
 * `Retry-After`. Register before any route.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: RateLimitOptions) => {
    const limited = new Counter({
      name: 'latchkey_rate_limited_total',
      help: 'Requests refused with 429 by the per-IP rate limits, by route template',
      labelNames: ['route'] as const,
      registers: [options.registry],
    });
    const timeWindow = options.windowSeconds * 1000;

    // Runs before @fastify/rate-limit's own onRoute hook, which reads `config.rateLimit`.
    app.addHook('onRoute', (route) => {
      const url = route.url;
      if (UNLIMITED_URLS.has(url)) {
        route.config = { ...route.config, rateLimit: false };
      } else if (methodsOf(route).some((method) => SENSITIVE_ROUTES.has(`${method} ${url}`))) {
        route.config = { ...route.config, rateLimit: { max: options.authMax, timeWindow } };
      }
    });

    await app.register(fastifyRateLimit, {
      global: true,
      max: options.max,
      timeWindow,
      hook: 'onRequest',
      store: storeClass(options.store),
      // The store degrades by itself; an unexpected failure lets the request through, never a 500.
      skipOnError: true,
      keyGenerator: (request: FastifyRequest) => clientKey(request.ip),
      enableDraftSpec: true,
      onExceeded: (request: FastifyRequest) => {
        limited.inc({ route: request.routeOptions.url ?? 'unmatched' });
      },
      errorResponseBuilder: (_request, context) =>
        new HttpProblem(429, 'rate_limited', `too many requests, retry in ${context.after}`, {
          'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
        }),
    });

    const notFoundLimit = app.rateLimit();
    app.addHook('onRequest', async (request, reply) => {
      if (request.is404) await notFoundLimit.call(app, request, reply);
    });
  },
  { name: 'latchkey-rate-limit' },
);
