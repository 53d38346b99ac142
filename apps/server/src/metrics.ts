import type { Kysely } from 'kysely';
import type pg from 'pg';
import { Counter, Gauge, collectDefaultMetrics, type Registry } from 'prom-client';
import {
  LOGIN_OUTCOMES,
  MAIL_OUTCOMES,
  REFRESH_OUTCOMES,
  type AuthEvent,
  type AuthEvents,
} from '@latchkey/domain';
import { jobQueueStatus, type Database } from '@latchkey/adapters-postgres';

/** Counts authentication outcomes as Prometheus counters (the names dashboards and alerts use). */
export class PrometheusAuthEvents implements AuthEvents {
  private readonly registrations: Counter;
  private readonly logins: Counter<'outcome'>;
  private readonly refreshes: Counter<'outcome'>;
  private readonly reuse: Counter;
  private readonly mails: Counter<'outcome'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.registrations = new Counter({
      name: 'latchkey_registrations_total',
      help: 'Accounts registered with a password',
      registers,
    });
    this.logins = new Counter({
      name: 'latchkey_logins_total',
      help: 'Password logins by outcome (locked: refused by the per-account throttle)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.refreshes = new Counter({
      name: 'latchkey_refreshes_total',
      help: 'Refresh-token exchanges by outcome',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.reuse = new Counter({
      name: 'latchkey_refresh_token_reuse_total',
      help: 'Rotated refresh tokens presented again after the grace period (session family revoked)',
      registers,
    });
    this.mails = new Counter({
      name: 'latchkey_mails_total',
      help: 'Mail delivery attempts by outcome (a failed attempt is retried)',
      labelNames: ['outcome'] as const,
      registers,
    });
    // Every series exists from the start at 0, so rate() and alerts see the first event.
    for (const outcome of LOGIN_OUTCOMES) this.logins.inc({ outcome }, 0);
    for (const outcome of REFRESH_OUTCOMES) this.refreshes.inc({ outcome }, 0);
    for (const outcome of MAIL_OUTCOMES) this.mails.inc({ outcome }, 0);
  }

  emit(event: AuthEvent): void {
    switch (event.type) {
      case 'registration':
        return this.registrations.inc();
      case 'login':
        return this.logins.inc({ outcome: event.outcome });
      case 'refresh':
        return this.refreshes.inc({ outcome: event.outcome });
      case 'refresh_token_reuse':
        return this.reuse.inc();
      case 'mail':
        return this.mails.inc({ outcome: event.outcome });
    }
  }
}

/** `latchkey_db_pool_connections{state}`: read from the pg pool at each scrape. */
export const observePool = (registry: Registry, pool: pg.Pool): void => {
  new Gauge({
    name: 'latchkey_db_pool_connections',
    help: 'PostgreSQL pool connections: total open, idle, and queries waiting for one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
};

/** Job counts as the gauge reports them; null when the job queue is not installed. */
export interface JobCounts {
  /** Waiting to run (first run or retry). */
  readonly queued: number;
  /** Used up their attempts. */
  readonly failed: number;
}

/** Counts graphile-worker's jobs; null while its schema is not installed. */
export const countJobs = async (db: Kysely<Database>): Promise<JobCounts | null> => {
  try {
    const status = await jobQueueStatus(db, 0);
    return { queued: status.queued + status.retrying, failed: status.failed };
  } catch (error) {
    // 3F000 invalid_schema_name, 42P01 undefined_table: no job queue (yet) in this database.
    const code = (error as { code?: unknown }).code;
    if (code === '3F000' || code === '42P01') return null;
    throw error;
  }
};

const within = async <T>(work: Promise<T>, timeoutMs: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * `latchkey_jobs{state="queued|failed"}`, counted at each scrape. No samples while the queue's
 * schema is missing or the database does not answer within `timeoutMs` (never a stale value,
 * and a scrape is never held up by a hung database).
 */
export const observeJobs = (
  registry: Registry,
  count: () => Promise<JobCounts | null>,
  timeoutMs = 1000,
): void => {
  new Gauge({
    name: 'latchkey_jobs',
    help: 'Background jobs: queued (waiting to run or retry) and failed (attempts used up)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await within(count(), timeoutMs).catch(() => null);
      if (counts === null) return;
      this.set({ state: 'queued' }, counts.queued);
      this.set({ state: 'failed' }, counts.failed);
    },
  });
};

export interface ServerMetrics {
  /** The AuthEvents port for the use cases (and the in-process job worker). */
  readonly authEvents: AuthEvents;
}

/**
 * Registers the server's metrics on `registry`: Node/process defaults, auth event counters, pool
 * and job queue gauges. The HTTP histogram is the HTTP adapter's; rate limiting, lockouts and
 * Redis are registered by the protection wiring.
 */
export const registerServerMetrics = (
  registry: Registry,
  pool: pg.Pool,
  db: Kysely<Database>,
): ServerMetrics => {
  collectDefaultMetrics({ register: registry });
  observePool(registry, pool);
  observeJobs(registry, () => countJobs(db));
  return { authEvents: new PrometheusAuthEvents(registry) };
};
