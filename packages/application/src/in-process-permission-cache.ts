import type { CachedPermissions, Clock, PermissionCache, UserId } from '@latchkey/domain';

export interface InProcessPermissionCacheOptions {
  /** How long an entry is trusted, in seconds (default 300). */
  readonly ttlSeconds?: number;
  /** Entries kept at once; the oldest are dropped past it (default 10,000). */
  readonly maxEntries?: number;
}

interface Entry {
  readonly value: CachedPermissions;
  readonly expiresAt: number;
}

/**
 * PermissionCache kept in this process: used when no Redis is configured, and by the Redis cache
 * while Redis is down. Another instance's invalidation cannot reach it; `permissionsFor` drops
 * any entry whose roles differ from the user's, so a role change is still seen at once.
 */
export class InProcessPermissionCache implements PermissionCache {
  private readonly entries = new Map<UserId, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly clock: Clock,
    options: InProcessPermissionCacheOptions = {},
  ) {
    this.ttlMs = (options.ttlSeconds ?? 300) * 1000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  async get(userId: UserId): Promise<CachedPermissions | null> {
    const entry = this.entries.get(userId);
    if (entry === undefined) return null;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.entries.delete(userId);
      return null;
    }
    return entry.value;
  }

  async set(userId: UserId, value: CachedPermissions): Promise<void> {
    this.entries.delete(userId);
    if (this.entries.size >= this.maxEntries) {
      // Map keeps insertion order: the first key is the oldest.
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(userId, {
      value: { roles: [...value.roles], permissions: [...value.permissions] },
      expiresAt: this.clock.now().getTime() + this.ttlMs,
    });
  }

  async invalidate(userId: UserId): Promise<void> {
    this.entries.delete(userId);
  }

  /** Entries held right now (expired ones included until read). */
  get size(): number {
    return this.entries.size;
  }
}
