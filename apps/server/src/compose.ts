import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import {
  changePassword,
  createSessionGuard,
  deleteAccount,
  forgotPassword,
  getProfile,
  listSessions,
  login,
  logout,
  refreshSession,
  registerUser,
  resendVerification,
  resetPassword,
  revokeSession,
  updateProfile,
  verifyEmail,
  type AccountDeps,
} from '@latchkey/application';
import { Argon2PasswordHasher } from '@latchkey/adapters-argon2';
import {
  CryptoSecretTokens,
  JwtAccessTokenIssuer,
  SigningKeyRing,
  SystemClock,
  UuidV7Generator,
  uuidV7Timestamp,
} from '@latchkey/adapters-crypto';
import { buildApp, readinessProbe } from '@latchkey/adapters-http';
import {
  PostgresJobQueue,
  PostgresRoleRepository,
  PostgresSessionRepository,
  PostgresSignInRecorder,
  PostgresSigningKeyRepository,
  PostgresUnitOfWork,
  PostgresUserRepository,
  checkDatabase,
  createKysely,
  createPool,
  installJobQueueSchema,
  isDatabaseUnavailableError,
  type Database,
  type JobWorker,
} from '@latchkey/adapters-postgres';
import type { Config } from './config/index.js';
import { createAccountMail } from './account-mail.js';
import { startWorker } from './worker.js';
import { composeProtection } from './protection.js';
import { adminUseCases, composeAdminDeps, composePermissionCache } from './admin.js';
import { composeOAuth } from './oauth.js';
import type { ErrorTracking } from './error-tracking.js';
import { registerServerMetrics } from './metrics.js';

/** A composed server: the app and what must be closed after it. */
export interface Server {
  readonly app: FastifyInstance;
  readonly keys: SigningKeyRing;
  /** The in-process job worker (`WORKER_ENABLED`), else null. */
  readonly worker: JobWorker | null;
  /** Closes the app, then the pool (the caller stops the embedded database). */
  close(): Promise<void>;
}

export interface ComposeOptions {
  readonly config: Config;
  readonly databaseUrl: string;
  readonly kek: Buffer;
  readonly logger?: Logger;
  /** `false` turns the per-IP rate limits off (benchmarks only; default true). */
  readonly rateLimit?: boolean;
  /** Error tracking (Sentry, when `SENTRY_DSN` is set): receives every 5xx. */
  readonly errorTracking?: ErrorTracking;
}

/** The one composition root: plain calls, no container. */
export const composeServer = async ({
  config,
  databaseUrl,
  kek,
  logger,
  rateLimit = true,
  errorTracking,
}: ComposeOptions): Promise<Server> => {
  const pool = createPool({
    connectionString: databaseUrl,
    max: config.db.poolMax,
    connectTimeoutMs: config.db.connectTimeoutMs,
    statementTimeoutMs: config.db.statementTimeoutMs,
    preparedStatements: config.db.preparedStatements,
    onIdleError: (err) => logger?.warn({ err }, 'idle database connection failed'),
  });
  const db = createKysely<Database>(pool);
  const clock = new SystemClock();
  const ids = new UuidV7Generator(clock);
  const secrets = new CryptoSecretTokens();

  const keys = new SigningKeyRing({
    repository: new PostgresSigningKeyRepository(db),
    kek,
    clock,
    ids,
    accessTokenTtl: config.accessTokenTtl,
  });
  await keys.start();

  const registry = new Registry();
  // Node/process defaults, auth event counters, pool and job gauges (METRICS_ENABLED).
  const metrics = config.metricsEnabled ? registerServerMetrics(registry, pool, db) : undefined;
  // LOG_LEVEL=silent: no request logger at all (cheaper than a silent one).
  const requestLogger = logger !== undefined && logger.level !== 'silent' ? logger : undefined;
  // Redis (when configured) for rate limits and lockouts, with in-process fallbacks.
  const protection = await composeProtection({ config, clock, registry, logger, rateLimit });

  const users = new PostgresUserRepository(db);
  const sessions = new PostgresSessionRepository(db);
  const permissionCache = composePermissionCache(protection.redis, clock);
  const deps: AccountDeps = {
    users,
    sessions,
    unitOfWork: new PostgresUnitOfWork(
      db,
      createAccountMail(config, secrets, ids, clock),
      ids,
      clock,
    ),
    signIns: new PostgresSignInRecorder(db, ids, clock),
    roles: new PostgresRoleRepository(db),
    hasher: new Argon2PasswordHasher({
      ...config.argon2,
      concurrency: config.hashConcurrency,
      maxQueued: config.hashQueueMax,
    }),
    accessTokens: new JwtAccessTokenIssuer(keys, ids, {
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      accessTokenTtl: config.accessTokenTtl,
    }),
    secrets,
    clock,
    ids,
    throttle: protection.loginThrottle,
    permissionCache,
    ...(metrics ? { events: metrics.authEvents } : {}),
    settings: {
      accessTokenTtl: config.accessTokenTtl,
      refreshTokenTtl: config.refreshTokenTtl,
      refreshReuseGrace: config.refreshReuseGrace,
    },
  };

  const app = await buildApp({
    useCases: {
      register: registerUser(deps),
      login: login(deps),
      refresh: refreshSession(deps),
      logout: logout(deps),
      getProfile: getProfile(deps),
      updateProfile: updateProfile(deps),
      deleteAccount: deleteAccount(deps),
      changePassword: changePassword(deps),
      listSessions: listSessions(deps),
      revokeSession: revokeSession(deps),
      verifyEmail: verifyEmail(deps),
      resendVerification: resendVerification(deps),
      forgotPassword: forgotPassword({ jobs: new PostgresJobQueue(db) }),
      resetPassword: resetPassword(deps),
    },
    authentication: {
      publicKey: (kid) => keys.publicKey(kid),
      sessionGuard: createSessionGuard({ sessions, clock }),
      issuedAtMs: uuidV7Timestamp,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
    },
    jwks: () => keys.jwks(),
    // Each check has its own deadline (1.5 s): a hung database is `down`, /ready never hangs.
    readiness: readinessProbe({
      database: async () => ((await checkDatabase(pool, 1000)) ? 'up' : 'down'),
      redis: () => protection.redisCheck(),
    }),
    isUnavailable: isDatabaseUnavailableError,
    ...(errorTracking ? { onServerError: errorTracking.onServerError } : {}),
    metrics: { registry, token: config.metricsToken, enabled: config.metricsEnabled },
    ...(requestLogger ? { logger: requestLogger } : {}),
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    protection: protection.http,
    admin: adminUseCases(composeAdminDeps({ db, permissionCache, ...deps })),
    oauth: composeOAuth({ config, db, kek, deps }),
    // close() waits for requests still at work before the database below is shut.
    drainTimeoutMs: config.shutdownTimeoutMs,
  });

  // graphile-worker's schema: mails are queued in it from the first registration on.
  if (config.migrateOnStart || config.workerEnabled) await installJobQueueSchema(pool);
  const worker = config.workerEnabled
    ? await startWorker({
        config,
        databaseUrl,
        ...(logger ? { logger } : {}),
        ...(metrics ? { events: metrics.authEvents } : {}),
      })
    : null;

  return {
    app,
    keys,
    worker,
    async close() {
      await app.close();
      // Running jobs finish or are released (retried later by any worker).
      await worker?.stop();
      keys.stop();
      await db.destroy();
      await protection.close();
    },
  };
};
