import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { corsPlugin, type CorsOptions } from './cors.js';
import { overloadPlugin, type OverloadOptions } from './overload.js';
import { rateLimitPlugin, type RateLimitOptions } from './rate-limit.js';
import { securityHeadersPlugin } from './security-headers.js';

/** Abuse protection of the whole app (contract "Protection"). */
export interface ProtectionOptions {
  /** Per-IP limits; `false` turns them off (benchmarks only). */
  readonly rateLimit: Omit<RateLimitOptions, 'registry'> | false;
  readonly cors: CorsOptions;
  readonly overload?: OverloadOptions;
}

/**
 * Registers, in hook order: security headers (so that every answer below carries them), CORS
 * (preflights answered before anything else; errors readable by allowed origins), load shedding,
 * then the rate limits. Must run before any route is added.
 */
export const registerProtection = async (
  app: FastifyInstance,
  options: ProtectionOptions,
  registry: Registry,
): Promise<void> => {
  await app.register(securityHeadersPlugin);
  await app.register(corsPlugin, options.cors);
  await app.register(overloadPlugin, options.overload ?? {});
  if (options.rateLimit !== false)
    await app.register(rateLimitPlugin, { ...options.rateLimit, registry });
};
