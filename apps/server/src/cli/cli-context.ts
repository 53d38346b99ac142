import { createKysely, createPool, type Database } from '@latchkey/adapters-postgres';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../config/index.js';
import { startEmbeddedPostgres } from '../embedded-postgres.js';
import type { CliContext } from './command.js';

/** Context over an environment. Logs go to stderr at `warn` (more only when LOG_LEVEL asks for debug). */
export function createCliContext(env: NodeJS.ProcessEnv, out: (line: string) => void): CliContext {
  let config: Config | undefined;
  let logger: Logger | undefined;
  const getConfig = (): Config => (config ??= loadConfig(env));
  const log = (): Logger => {
    const level = getConfig().logLevel;
    return (logger ??= pino(
      {
        name: 'latchkey-cli',
        level: level === 'debug' || level === 'trace' || level === 'silent' ? level : 'warn',
      },
      pino.destination({ dest: 2, sync: true }),
    ));
  };

  return {
    config: getConfig,
    print: out,
    async withDatabase(fn) {
      const cfg = getConfig();
      const embedded =
        cfg.databaseUrl === undefined ? await startEmbeddedPostgres(cfg.dataDir, log()) : undefined;
      const pool = createPool({
        connectionString: cfg.databaseUrl ?? embedded!.url,
        max: 2,
        connectTimeoutMs: cfg.db.connectTimeoutMs,
        // Migrations and maintenance may legitimately run longer than a request would.
        statementTimeoutMs: 0,
        applicationName: 'latchkey-cli',
        preparedStatements: cfg.db.preparedStatements,
      });
      const db = createKysely<Database>(pool);
      try {
        return await fn(db, pool);
      } finally {
        await db.destroy();
        await embedded?.stop();
      }
    },
  };
}
