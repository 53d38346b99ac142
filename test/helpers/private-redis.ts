import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { redisAnswers, type TestLike } from './services.js';

/** A `redis-server` of a test's own (never the shared one), which the test may kill and restart. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers. */
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, commands hang. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });

const until = async (
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * Starts `redis-server --port <free> --save '' --appendonly no` (in-memory only).
 * @returns undefined when no `redis-server` binary can be started (the caller skips).
 */
export async function startPrivateRedis(): Promise<PrivateRedis | undefined> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    child = proc;
    let failed = false;
    proc.once('error', () => (failed = true));
    await until(
      async () => {
        if (failed || proc.exitCode !== null) throw new Error('redis-server did not start');
        return redisAnswers(url, 200);
      },
      10_000,
      `redis-server on ${port}`,
    );
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  };
  try {
    await start();
  } catch {
    await kill();
    return undefined;
  }
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    port,
    url,
    kill,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

/**
 * A private Redis for a test that kills it, or undefined: then the test is skipped with a reason,
 * or fails when `LATCHKEY_REQUIRE_SERVICES=1` (CI).
 */
export async function requirePrivateRedis(t: TestLike): Promise<PrivateRedis | undefined> {
  const redis = await startPrivateRedis();
  if (redis !== undefined) return redis;
  const reason = 'redis-server cannot be started here (a private one is needed to kill it)';
  if (process.env.LATCHKEY_REQUIRE_SERVICES === '1')
    t.fail(`${reason} (LATCHKEY_REQUIRE_SERVICES=1)`);
  else t.plan(0, reason);
  return undefined;
}
