import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface CorsOptions {
  /** Allowed origins (`https://app.example.com`, no trailing slash); `*` allows any (never in production). */
  readonly origins: readonly string[];
}

/** Headers a browser script may read on a cross-origin response. */
const EXPOSED = [
  'location',
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
];

/**
 * CORS (contract "Protection"): only listed origins get `Access-Control-Allow-Origin` (the request's
 * origin, never `*`) with credentials, and an answered preflight; any other or missing origin
 * gets no CORS header at all (its preflight is a 404, as for an unknown route).
 */
export const corsPlugin = fp(
  async (app: FastifyInstance, options: CorsOptions) => {
    const any = options.origins.includes('*');
    const allowed = new Set(options.origins);
    await app.register(fastifyCors, {
      origin: (origin, callback) => {
        callback(null, origin !== undefined && (any || allowed.has(origin)) ? origin : false);
      },
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: EXPOSED,
      maxAge: 600,
      strictPreflight: true,
      hideOptionsRoute: true,
    });
  },
  { name: 'latchkey-cors' },
);
