// The real composition, one process, for scripts/bench-rate-limit.ts. BENCH_RATE_LIMIT=off turns the
// per-IP limits off entirely (plugin not registered); otherwise the environment decides
// (REDIS_URL set: Redis store; unset: in-process). Sends 'ready' to the parent once listening.
import {
  createKysely,
  createPool,
  migrateToLatest,
} from '../../packages/adapters-postgres/src/index.js';
import { composeServer, loadConfig } from '../../apps/server/src/index.js';

const config = loadConfig(process.env);
if (config.databaseUrl === undefined) throw new Error('DATABASE_URL is required');
const migrator = createKysely(
  createPool({ connectionString: config.databaseUrl, max: 1, statementTimeoutMs: 0 }),
);
await migrateToLatest(migrator);
await migrator.destroy();

const server = await composeServer({
  config,
  databaseUrl: config.databaseUrl,
  kek: Buffer.from(config.keyEncryptionKey ?? '', 'base64'),
  rateLimit: process.env.BENCH_RATE_LIMIT !== 'off',
});
await server.app.listen({ host: '127.0.0.1', port: config.port });
process.send?.('ready');
// The parent asks for this process's CPU time around each run: CPU per request is much less
// sensitive than throughput to other load on the machine.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
