import { getHeapStatistics } from 'node:v8';
import fastifyUnderPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../errors/problem.js';

export interface OverloadOptions {
  /** Mean event-loop delay, ms, above which requests are shed (default 1000; 0 disables). */
  readonly maxEventLoopDelayMs?: number;
  /** Heap used, bytes, above which requests are shed (default 90 % of the heap limit; 0 disables). */
  readonly maxHeapUsedBytes?: number;
  /** Event-loop utilisation (0..1) above which requests are shed (default 0: disabled). */
  readonly maxEventLoopUtilization?: number;
  /** How often the process is sampled, ms (default 1000). */
  readonly sampleIntervalMs?: number;
  /** `Retry-After` of shed requests, seconds (default 10). */
  readonly retryAfterSeconds?: number;
}

/** Probes stay cheap and truthful under load: never shed. */
const NEVER_SHED: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/**
 * Overload protection: while the event loop lags or the heap is nearly full, new requests get
 * 503 `service_unavailable` with `Retry-After` at once instead of queueing until everything
 * times out. Event-loop utilisation is off by default: a busy but healthy process runs near 1.
 */
export const overloadPlugin = fp(
  async (app: FastifyInstance, options: OverloadOptions) => {
    const retryAfter = String(options.retryAfterSeconds ?? 10);
    const sampleInterval = options.sampleIntervalMs ?? 1000;
    // Start-up work (module loading, migrations, key loading) blocks the loop before the first
    // sample: that lag is over once the app is ready, so the first two samples never shed.
    let sheddingFrom = Number.POSITIVE_INFINITY;
    app.addHook('onReady', async () => {
      sheddingFrom = Date.now() + 2 * sampleInterval;
    });
    await app.register(fastifyUnderPressure, {
      maxEventLoopDelay: options.maxEventLoopDelayMs ?? 1000,
      maxHeapUsedBytes:
        options.maxHeapUsedBytes ?? Math.floor(getHeapStatistics().heap_size_limit * 0.9),
      maxEventLoopUtilization: options.maxEventLoopUtilization ?? 0,
      sampleInterval,
      exposeStatusRoute: false,
      pressureHandler: (request, _reply, type) => {
        if (NEVER_SHED.has(request.routeOptions.url ?? '') || Date.now() < sheddingFrom)
          return undefined;
        request.log.warn({ pressure: type }, 'shedding load');
        return Promise.reject(
          new HttpProblem(503, 'service_unavailable', 'the server is overloaded, retry later', {
            'retry-after': retryAfter,
          }),
        );
      },
    });
  },
  { name: 'latchkey-overload' },
);
