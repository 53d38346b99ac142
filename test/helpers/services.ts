import net from 'node:net';
import tls from 'node:tls';

/** The part of a tap test these helpers use (a `Test` or the root `t`). */
export interface TestLike {
  plan(n: number, comment?: string): void;
  fail(message: string): unknown;
}

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The Redis URL to test against (`REDIS_URL`, else 127.0.0.1:6379) when it answers PING.
 * Otherwise the test fails when `LATCHKEY_REQUIRE_SERVICES=1` (CI), else it is skipped with the
 * reason "Redis not reachable". Call it first in a test and return when it gives undefined.
 */
export async function requireRedis(t: TestLike): Promise<string | undefined> {
  const url =
    process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== ''
      ? process.env.REDIS_URL
      : DEFAULT_REDIS_URL;
  if (await redisAnswers(url, 2000)) return url;
  const reason = `Redis not reachable at ${new URL(url).host}`;
  if (process.env.LATCHKEY_REQUIRE_SERVICES === '1')
    t.fail(`${reason} (LATCHKEY_REQUIRE_SERVICES=1)`);
  else t.plan(0, reason);
  return undefined;
}

/** Whether a Redis server at `url` answers PING (after AUTH when the URL has credentials). */
export function redisAnswers(url: string, timeoutMs: number): Promise<boolean> {
  const target = new URL(url);
  const port = Number(target.port === '' ? 6379 : target.port);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const auth =
    target.password === ''
      ? ''
      : command([
          'AUTH',
          ...(target.username === '' ? [] : [decodeURIComponent(target.username)]),
          decodeURIComponent(target.password),
        ]);
  return new Promise((resolve) => {
    const socket =
      target.protocol === 'rediss:'
        ? tls.connect({ host, port, servername: host })
        : net.connect({ host, port });
    let received = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once(target.protocol === 'rediss:' ? 'secureConnect' : 'connect', () =>
      socket.write(auth + command(['PING'])),
    );
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.includes('+PONG')) done(true);
      else if (received.includes('-')) done(false);
    });
  });
}

const command = (parts: string[]): string =>
  `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
