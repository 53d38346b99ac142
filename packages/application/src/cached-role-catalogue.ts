import type { Clock, Permission, Role, RoleName, RoleRepository } from '@latchkey/domain';
import { permissionsOf } from '@latchkey/domain';

/**
 * A RoleRepository that reads the catalogue at most once per `ttlMs` (default 5 s): for the admin
 * reads, which show each user's permissions on every page. The catalogue only changes through
 * `seed` or by hand, so a change shows there within `ttlMs`. Never use it inside a transaction
 * that issues tokens (those read the catalogue through `permissionsFor`).
 */
export class CachedRoleCatalogue implements RoleRepository {
  private cached: { roles: Role[]; at: number } | null = null;
  private pending: Promise<Role[]> | null = null;

  constructor(
    private readonly roles: RoleRepository,
    private readonly clock: Clock,
    private readonly ttlMs = 5000,
  ) {}

  async list(): Promise<Role[]> {
    const now = this.clock.now().getTime();
    if (this.cached !== null && now - this.cached.at < this.ttlMs) return this.cached.roles;
    // Concurrent misses share one read.
    this.pending ??= this.roles
      .list()
      .then((roles) => {
        this.cached = { roles, at: this.clock.now().getTime() };
        return roles;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  async permissionsOf(names: readonly RoleName[]): Promise<Permission[]> {
    return permissionsOf((await this.list()).filter((role) => names.includes(role.name)));
  }
}
