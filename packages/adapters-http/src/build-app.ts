import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import { registerErrorHandler, type ErrorHandlerOptions } from './errors/error-handler.js';
import { authenticationPlugin, type AuthenticationOptions } from './plugins/authenticate.js';
import { registerJsonBodyParser } from './plugins/json-body.js';
import { registerProtection, type ProtectionOptions } from './plugins/protection.js';
import { inFlightPlugin } from './plugins/in-flight.js';
import { metricsPlugin, type MetricsOptions } from './plugins/metrics.js';
import { requestLoggingPlugin } from './plugins/request-logging.js';
import { openApiDocument } from './openapi/openapi-document.js';
import { registerValidation } from './plugins/validation.js';
import { authRoutes } from './routes/auth-routes.js';
import { healthRoutes, type ReadinessProbe } from './routes/health-routes.js';
import { jwksRoutes, type Jwk } from './routes/jwks-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { adminCatalogueRoutes } from './routes/admin-catalogue-routes.js';
import { adminUserRoutes } from './routes/admin-user-routes.js';
import { AdminUserSchema } from './schemas/admin.js';
import type { AdminUseCases } from './admin-use-cases.js';
import { passwordResetRoutes } from './routes/password-reset-routes.js';
import { verificationRoutes } from './routes/verification-routes.js';
import { accountPageRoutes } from './routes/account-page-routes.js';
import { oauthRoutes } from './routes/oauth-routes.js';
import { providerRoutes } from './routes/provider-routes.js';
import type { OAuthHttpOptions } from './oauth-use-cases.js';
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
  readonly metrics: MetricsOptions;
  /** A pino logger; omit for no logging (tests). */
  readonly logger?: FastifyBaseLogger;
  readonly trustProxy?: boolean | number | string[];
  readonly publicUrl?: string;
  /** Rate limits, CORS, security headers, load shedding (contract "Protection"). */
  readonly protection: ProtectionOptions;
  /** The administration use cases (`/api/v1/admin/…`). */
  readonly admin: AdminUseCases;
  /** Social login (`/api/v1/oauth/…`, `/api/v1/users/me/providers`); absent: no such routes. */
  readonly oauth?: OAuthHttpOptions;
  /** The longest `close()` waits for requests still at work, ms (default 10 000). */
  readonly drainTimeoutMs?: number;
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
    bodyLimit: BODY_LIMIT,
    // Fastify's types omit the hop count that proxy-addr accepts.
    trustProxy: (deps.trustProxy ?? false) as boolean,
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // `requestId` on every line; one access line per request instead of two
    // (plugins/request-logging.ts).
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: true,
    }),
  });

  await app.register(inFlightPlugin, {
    ...(deps.drainTimeoutMs !== undefined ? { drainTimeoutMs: deps.drainTimeoutMs } : {}),
  });
  if (deps.logger) await app.register(requestLoggingPlugin);
  // A callback hook, not an async one: no promise per request.
  app.addHook('onRequest', (request: FastifyRequest, reply, done) => {
    void reply.header('x-request-id', request.id);
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
    done();
  });

  registerJsonBodyParser(app);
  registerValidation(app);
  registerErrorHandler(app, {
    isUnavailable: deps.isUnavailable,
    onServerError: deps.onServerError,
  });
  app.addSchema(ProblemSchema);
  app.addSchema(UserSchema);
  app.addSchema(AdminUserSchema);

  await app.register(fastifyCookie);
  // Before any route: its onRoute hooks give each route its rate limit and CSP.
  await registerProtection(app, deps.protection, deps.metrics.registry);
  await app.register(fastifySwagger, openApiDocument({ publicUrl: deps.publicUrl }));
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(metricsPlugin, deps.metrics);
  await app.register(authenticationPlugin, deps.authentication);

  await app.register(healthRoutes, { readiness: deps.readiness });
  await app.register(jwksRoutes, { jwks: deps.jwks });
  await app.register(authRoutes, { prefix: '/api/v1', useCases: deps.useCases });
  await app.register(meRoutes, { prefix: '/api/v1', useCases: deps.useCases });
  await app.register(adminUserRoutes, { prefix: '/api/v1/admin', admin: deps.admin });
  await app.register(adminCatalogueRoutes, { prefix: '/api/v1/admin', admin: deps.admin });
  await app.register(verificationRoutes, { prefix: '/api/v1', useCases: deps.useCases });
  await app.register(passwordResetRoutes, { prefix: '/api/v1', useCases: deps.useCases });
  if (deps.oauth) {
    await app.register(oauthRoutes, { prefix: '/api/v1', ...deps.oauth });
    await app.register(providerRoutes, { prefix: '/api/v1', useCases: deps.oauth.useCases });
  }
  await app.register(accountPageRoutes);
  return app;
};
