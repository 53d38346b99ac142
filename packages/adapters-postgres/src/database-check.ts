import type pg from 'pg';

/**
 * Whether PostgreSQL answers `select 1` on a pool connection within `timeoutMs` (readiness).
 * @returns false on any error, and after `timeoutMs` when the server hangs. A connection that
 * has not answered by then is destroyed, not returned to the pool, so probing a hung server
 * never leaves connections stuck in the pool.
 */
export async function checkDatabase(pool: pg.Pool, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  let client: pg.PoolClient | undefined;
  const finish = (ok: boolean, release?: Error): boolean => {
    if (!finished) {
      finished = true;
      clearTimeout(timer);
    }
    if (client !== undefined) {
      // release(error) ends the connection instead of pooling it.
      client.release(release);
      client = undefined;
    }
    return ok;
  };
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(
      () => resolve(finish(false, new Error('database readiness check timed out'))),
      timeoutMs,
    );
  });
  const probe = (async (): Promise<boolean> => {
    try {
      const connected = await pool.connect();
      if (finished) {
        // Too late: the connection works, give it back healthy.
        connected.release();
        return false;
      }
      client = connected;
      await connected.query('select 1');
      return finish(true);
    } catch (error) {
      return finish(false, error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return Promise.race([probe, deadline]);
}
