import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { registerErrorHandler, type ErrorHandlerOptions } from './errors/error-handler.js';
import { authenticationPlugin, type AuthenticationOptions } from './plugins/authenticate.js';
import { registerJsonBodyParser } from './plugins/json-body.js';
import { metricsPlugin } from './plugins/metrics.js';
import { registerValidation } from './plugins/validation.js';
import { authRoutes } from './routes/auth-routes.js';
import { healthRoutes, type ReadinessProbe } from './routes/health-routes.js';
import { jwksRoutes, type Jwk } from './routes/jwks-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { ProblemSchema, UserSchema } from './schemas/common.js';
import type { AccountUseCases } from './use-cases.js';

/** Everything the HTTP adapter needs, built by the composition root. */
export interface AppDeps {
  readonly useCases: AccountUseCases;
  readonly authentication: AuthenticationOptions;
  readonly jwks: () => readonly Jwk[];
  readonly readiness: ReadinessProbe;
  readonly isUnavailable: ErrorHandlerOptions['isUnavailable'];
  readonly onServerError?: ErrorHandlerOptions['onServerError'];
  readonly metrics: { readonly registry: Registry; readonly token?: string | undefined };
  /** A pino logger; omit for no logging (tests). */
  readonly logger?: FastifyBaseLogger;
  readonly trustProxy?: boolean | number | string[];
  readonly publicUrl?: string;
}

export const BODY_LIMIT = 1024 * 1024;
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const requestIdOf = (request: { headers: Record<string, unknown> }): string => {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
};

/** Builds the Fastify app. Never listens: `main.ts` does. */
export const buildApp = async (deps: AppDeps): Promise<FastifyInstance> => {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    genReqId: requestIdOf,
    requestIdHeader: false,
    requestIdLogLabel: 'requestId',
    bodyLimit: BODY_LIMIT,
    // Fastify's types omit the hop count that proxy-addr accepts.
    trustProxy: (deps.trustProxy ?? false) as boolean,
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    void reply.header('x-request-id', request.id);
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
  });

  registerJsonBodyParser(app);
  registerValidation(app);
  registerErrorHandler(app, { isUnavailable: deps.isUnavailable, onServerError: deps.onServerError });
  app.addSchema(ProblemSchema);
  app.addSchema(UserSchema);

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey',
        version: '0.1.0',
        description: 'User management and authentication API.',
      },
      servers: deps.publicUrl ? [{ url: deps.publicUrl }] : [],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(metricsPlugin, deps.metrics);
  await app.register(authenticationPlugin, deps.authentication);

  await app.register(healthRoutes, { readiness: deps.readiness });
  await app.register(jwksRoutes, { jwks: deps.jwks });
  await app.register(authRoutes, { prefix: '/api/v1', useCases: deps.useCases });
  await app.register(meRoutes, { prefix: '/api/v1', useCases: deps.useCases });
  return app;
};
