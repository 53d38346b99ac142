import { Redis } from 'ioredis';

/** Whether the connection currently answers commands. */
export type RedisState = 'up' | 'down';

/** Options of `createRedisConnection`; durations in milliseconds. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (REDIS_URL). */
  url: string;
  /** Key prefix added by ioredis to every key (default none). */
  keyPrefix?: string;
  /** How long one connection attempt may take (default 2000). */
  connectTimeoutMs?: number;
  /** How long one command may take before it fails (default 500). */
  commandTimeoutMs?: number;
  /** Reconnect delays grow from this … (default 50). */
  minReconnectDelayMs?: number;
  /** … up to this (default 2000); reconnecting never stops. */
  maxReconnectDelayMs?: number;
  /** After a failed command, how long `isUp` stays false so callers go around Redis (default 2000). */
  suspendAfterFailureMs?: number;
  /** Called on every transition between up and down (not called for the initial state). */
  onStateChange?: (state: RedisState, err?: Error) => void;
  /** Called for connection errors; ioredis emits one per failed attempt. */
  onError?: (err: Error) => void;
  /** Connection name shown in `CLIENT LIST` (default `latchkey`). */
  connectionName?: string;
}

/**
 * One Redis client per process, built to fail fast: while Redis is unreachable, commands reject at
 * once (no offline queue, one retry) so callers can fall back instead of waiting, and the client
 * keeps reconnecting with a capped exponential backoff. `state` follows the connection: `up` once
 * it is ready, `down` as soon as it closes or errors.
 */
export class RedisConnection {
  readonly client: Redis;
  #state: RedisState = 'down';
  #closed = false;
  #suspendedUntil = 0;
  readonly #suspendMs: number;
  readonly #onStateChange: ((state: RedisState, err?: Error) => void) | undefined;

  constructor(opts: RedisConnectionOptions) {
    const minDelay = opts.minReconnectDelayMs ?? 50;
    const maxDelay = opts.maxReconnectDelayMs ?? 2000;
    this.#onStateChange = opts.onStateChange;
    this.#suspendMs = opts.suspendAfterFailureMs ?? 2000;
    this.client = new Redis(opts.url, {
      connectionName: opts.connectionName ?? 'latchkey',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: opts.connectTimeoutMs ?? 2000,
      commandTimeout: opts.commandTimeoutMs ?? 500,
      enableReadyCheck: true,
      autoResubscribe: false,
      ...(opts.keyPrefix ? { keyPrefix: opts.keyPrefix } : {}),
      retryStrategy: (attempt) =>
        this.#closed ? null : Math.min(maxDelay, minDelay * 2 ** Math.min(attempt - 1, 16)),
      // A READONLY reply means we reached a replica after a failover: reconnect to find the primary.
      reconnectOnError: (err) => err.message.startsWith('READONLY'),
    });
    this.client.on('ready', () => {
      this.#suspendedUntil = 0;
      this.#set('up');
    });
    this.client.on('close', () => this.#set('down'));
    this.client.on('end', () => this.#set('down'));
    this.client.on('error', (err: Error) => {
      opts.onError?.(err);
      if (this.client.status !== 'ready') this.#set('down', err);
    });
  }

  /** `up` while the client is connected and ready. */
  get state(): RedisState {
    return this.#state;
  }

  /**
   * Whether commands should be sent right now (cheap, no round trip): connected, and no command
   * failed within the last `suspendAfterFailureMs`.
   */
  get isUp(): boolean {
    return (
      this.#state === 'up' && this.client.status === 'ready' && Date.now() >= this.#suspendedUntil
    );
  }

  /**
   * Reports a failed command: `isUp` is false for a while, so that a hung server (which keeps the
   * socket open) costs one command timeout per interval instead of one per request.
   */
  reportFailure(): void {
    this.#suspendedUntil = Date.now() + this.#suspendMs;
  }

  /**
   * Opens the connection. Never rejects: when Redis is unreachable the client keeps retrying in
   * the background and `state` stays `down` until it succeeds.
   * @returns whether Redis answered within the connect timeout.
   */
  async connect(): Promise<boolean> {
    try {
      await this.client.connect();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Health check for `/ready`: whether Redis answers `PING` within `timeoutMs`.
   * Never rejects; also updates `state`.
   */
  async ping(timeoutMs = 500): Promise<boolean> {
    if (this.client.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ping = this.client.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    try {
      const ok = await Promise.race([ping, timeout]);
      this.#set(ok ? 'up' : 'down');
      return ok;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connection (QUIT, then disconnect) and stops reconnecting. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.client.status === 'ready') await this.client.quit();
      else this.client.disconnect();
    } catch {
      this.client.disconnect();
    }
    this.#state = 'down';
  }

  #set(state: RedisState, err?: Error): void {
    if (this.#state === state) return;
    this.#state = state;
    if (!this.#closed) this.#onStateChange?.(state, err);
  }
}

/** A fail-fast Redis connection from REDIS_URL; call `connect()` before use. */
export function createRedisConnection(opts: RedisConnectionOptions): RedisConnection {
  return new RedisConnection(opts);
}
