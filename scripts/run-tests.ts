// `pnpm test [tap args…]`: runs tap against DATABASE_URL, or, when it is unset, against a
// throwaway embedded PostgreSQL started for this run (temp dir, free port) and removed after.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../apps/server/src/embedded-postgres.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tapBin = path.join(
  root,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'tap.cmd' : 'tap',
);
const log = {
  debug: () => {},
  info: (msg: string) => process.stderr.write(`run-tests: ${msg}\n`),
  warn: (msg: string) => process.stderr.write(`run-tests: ${msg}\n`),
};

async function main(): Promise<number> {
  const env = { ...process.env };
  let embedded: EmbeddedPostgres | undefined;
  let tmp: string | undefined;
  try {
    if (env.DATABASE_URL === undefined || env.DATABASE_URL === '') {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'latchkey-test-'));
      // When run as root, PostgreSQL runs as its own OS user and must reach <tmp>/postgres.
      await chmod(tmp, 0o755);
      embedded = await startEmbeddedPostgres(tmp, log, { port: 0, throwaway: true });
      env.DATABASE_URL = embedded.url;
    }
    return await runTap(process.argv.slice(2), env);
  } finally {
    await embedded
      ?.stop()
      .catch((err: unknown) => log.warn(`could not stop PostgreSQL: ${String(err)}`));
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }
}

function runTap(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(tapBin, args, { stdio: 'inherit', env, cwd: root });
    // Signals go on to tap; we stay alive until it is gone, then clean up.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal === null ? 0 : (os.constants.signals[signal] ?? 0)));
    });
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`run-tests: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
