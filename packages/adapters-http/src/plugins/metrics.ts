import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, type Registry } from 'prom-client';
import { HttpProblem } from '../errors/problem.js';

export interface MetricsOptions {
  readonly registry: Registry;
  /** When set, `/metrics` needs `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
  /** `false`: no `/metrics` route and no request timing (benchmarks); default true. */
  readonly enabled?: boolean;
}

/** `http_request_duration_seconds` by route template, and the `/metrics` endpoint. */
export const metricsPlugin = fp(
  async (app: FastifyInstance, options: MetricsOptions) => {
    if (options.enabled === false) return;
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [options.registry],
    });

    // One child per method, route and status, looked up by a string key: prom-client's own
    // label lookup (validate, sort, hash the label object) cost more than the observation.
    const series = new Map<string, { observe(seconds: number): void }>();
    // A callback hook, not an async one: no promise per request on the hot path.
    app.addHook('onResponse', (request, reply, done) => {
      // The route template, never the raw URL (unbounded label values).
      const route = request.routeOptions.url ?? 'unmatched';
      const key = `${request.method} ${reply.statusCode} ${route}`;
      let child = series.get(key);
      if (child === undefined) {
        child = duration.labels({
          method: request.method,
          route,
          status_code: String(reply.statusCode),
        });
        series.set(key, child);
      }
      child.observe(reply.elapsedTime / 1000);
      done();
    });

    app.get(
      '/metrics',
      {
        logLevel: 'warn',
        schema: { hide: true },
      },
      async (request, reply) => {
        if (options.token !== undefined) {
          const expected = `Bearer ${options.token}`;
          if (request.headers.authorization !== expected) {
            throw new HttpProblem(401, 'unauthorized', 'a metrics token is required', {
              'www-authenticate': 'Bearer realm="latchkey"',
            });
          }
        }
        return reply.type(options.registry.contentType).send(await options.registry.metrics());
      },
    );
  },
  { name: 'latchkey-metrics' },
);
