import type { CachedPermissions, PermissionCache, UserId } from '@latchkey/domain';
import { isPermission } from '@latchkey/domain';
import { withFallback, type FallbackOptions } from './redis-fallback.js';
import type { RedisConnection } from './redis-connection.js';

export interface RedisPermissionCacheOptions extends FallbackOptions<PermissionCache> {
  /** How long an entry lives, in seconds (default 300). */
  readonly ttlSeconds?: number;
  /** Prefix of every key (default `latchkey:perms:`). */
  readonly keyPrefix?: string;
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** @returns the entry stored as JSON, or null when it is not one (then it is ignored). */
const parseEntry = (text: string | null): CachedPermissions | null => {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as { roles?: unknown; permissions?: unknown };
    if (!isStringArray(value.roles) || !isStringArray(value.permissions)) return null;
    return { roles: value.roles, permissions: value.permissions.filter(isPermission) };
  } catch {
    return null;
  }
};

/**
 * PermissionCache shared by every instance: one JSON string per user with a TTL, so an
 * invalidation through any instance (or the CLI) reaches all of them. While Redis is down the
 * in-process `fallback` serves; invalidations always reach it too, and `permissionsFor` ignores
 * an entry whose roles are not the user's (one Redis missed while it was down, for instance).
 */
export class RedisPermissionCache implements PermissionCache {
  readonly #ttlSeconds: number;
  readonly #prefix: string;

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: RedisPermissionCacheOptions,
  ) {
    this.#ttlSeconds = options.ttlSeconds ?? 300;
    this.#prefix = options.keyPrefix ?? 'latchkey:perms:';
  }

  get(userId: UserId): Promise<CachedPermissions | null> {
    return withFallback(
      this.connection,
      this.options.onFallback,
      async () => parseEntry(await this.connection.client.get(this.#prefix + userId)),
      () => this.options.fallback.get(userId),
    );
  }

  set(userId: UserId, entry: CachedPermissions): Promise<void> {
    const text = JSON.stringify({ roles: entry.roles, permissions: entry.permissions });
    return withFallback(
      this.connection,
      this.options.onFallback,
      async () => {
        await this.connection.client.set(this.#prefix + userId, text, 'EX', this.#ttlSeconds);
      },
      () => this.options.fallback.set(userId, entry),
    );
  }

  async invalidate(userId: UserId): Promise<void> {
    await this.options.fallback.invalidate(userId);
    await withFallback(
      this.connection,
      this.options.onFallback,
      async () => {
        await this.connection.client.del(this.#prefix + userId);
      },
      async () => undefined,
    );
  }
}
