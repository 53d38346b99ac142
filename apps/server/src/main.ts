#!/usr/bin/env node
import { DEFAULT_ROLES, PERMISSION_DESCRIPTIONS } from '@latchkey/domain';
import { migrateToLatest, seedRoleCatalogue, type Database } from '@latchkey/adapters-postgres';
import { composeServer } from './compose.js';
import { ConfigError, loadConfig, resolveKeyEncryptionKey } from './config/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { initErrorTracking } from './error-tracking.js';
import { createLogger } from './logger.js';

const fail = (message: string): never => {
  process.stderr.write(`latchkey: ${message}\n`);
  process.exit(1);
};

/** Loads config, wires the server, listens, and shuts down gracefully on SIGTERM/SIGINT. */
const main = async (): Promise<void> => {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(`invalid configuration: ${error.message}`);
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Before the rest: unhandled errors from here on reach error tracking.
  const errorTracking =
    config.sentryDsn === undefined
      ? undefined
      : initErrorTracking({ dsn: config.sentryDsn, environment: config.appEnv });
  const startedAt = performance.now();

  let embedded: EmbeddedPostgres | undefined;
  if (config.databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres(config.dataDir, {
      debug: (msg) => logger.debug(msg),
      info: (msg) => logger.info(msg),
      warn: (msg) => logger.warn(msg),
    });
  }
  const databaseUrl = config.databaseUrl ?? embedded?.url ?? fail('no database');
  if (config.migrateOnStart) {
    const { createKysely, createPool } = await import('@latchkey/adapters-postgres');
    const db = createKysely<Database>(
      createPool({ connectionString: databaseUrl, max: 1, statementTimeoutMs: 0 }),
    );
    try {
      const applied = await migrateToLatest(db);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
      // Idempotent: adds only the default roles, permissions and grants that are missing.
      const seeded = await seedRoleCatalogue(db, DEFAULT_ROLES, PERMISSION_DESCRIPTIONS);
      if (seeded.roles + seeded.permissions + seeded.grants > 0)
        logger.info({ seeded }, 'role catalogue seeded');
    } finally {
      await db.destroy();
    }
  }

  const kek = await resolveKeyEncryptionKey(config);
  const server = await composeServer({
    config,
    databaseUrl,
    kek,
    logger,
    ...(errorTracking ? { errorTracking } : {}),
  });
  await server.app.listen({ host: config.host, port: config.port });
  logger.info(
    { startupMs: Math.round(performance.now() - startedAt), embedded: embedded !== undefined },
    'latchkey ready',
  );

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('graceful shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await server.close();
      await embedded?.stop();
      await errorTracking?.close(2000);
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
};

main().catch((error: unknown) => {
  process.stderr.write(
    `latchkey: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
