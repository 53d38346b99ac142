import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import {
  Migrator,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely/migration';

/** Options shared by the migration functions. */
export interface MigrationOptions {
  /**
   * Folder holding `NNNN_name.ts` (source) or their compiled `NNNN_name.js`. Default: the
   * repository's top-level `migrations/` when running from source, `migrations/dist/` otherwise.
   */
  folder?: string;
}

/** One migration and when it ran. */
export interface MigrationStatus {
  name: string;
  /** null while pending. */
  executedAt: Date | null;
}

/** A migration failed or the migration files are unusable; the message names the migration. */
export class MigrationError extends Error {
  readonly code = 'migration_failed';
  constructor(
    message: string,
    readonly migrationName: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

// Running from src/*.ts means a TypeScript loader (tsx, tap) is active: import the .ts
// migrations. From dist/*.js, plain node: import the ones compiled by `migrations/tsconfig.json`.
const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');
const EXT = RUNNING_FROM_SOURCE ? '.ts' : '.js';
const NAME = /^\d{4}_[a-z0-9_]+$/;
let root: string | undefined;

/**
 * The top-level `migrations/` folder: the nearest one above this file that holds migrations.
 * Holds in the repository (packages/adapters-postgres/…) and in a deployed image where this
 * package sits under apps/server/node_modules/… next to a copied `migrations/dist`.
 */
function migrationsRoot(): string {
  if (root !== undefined) return root;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'migrations');
    const files = path.join(candidate, RUNNING_FROM_SOURCE ? '' : 'dist');
    if (
      existsSync(files) &&
      readdirSync(files).some((f) => f.endsWith(EXT) && NAME.test(f.slice(0, -EXT.length)))
    ) {
      return (root = candidate);
    }
    if (path.dirname(dir) === dir) {
      const hint = RUNNING_FROM_SOURCE ? '' : ' (run `pnpm build` to compile them)';
      throw new MigrationError(`no migrations folder found above ${start}${hint}`, null);
    }
  }
}

/** The folder used when no `folder` option is given. */
export const defaultMigrationsFolder = (): string =>
  RUNNING_FROM_SOURCE ? migrationsRoot() : path.join(migrationsRoot(), 'dist');

/** Applies every pending migration, in name order. @returns the names applied. */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  options: MigrationOptions = {},
): Promise<string[]> {
  return applied(await migrator(db, options).migrateToLatest(), 'Up');
}

/** Reverts the latest applied migration. @returns its name, or null when none was applied. */
export async function migrateDown<DB>(
  db: Kysely<DB>,
  options: MigrationOptions = {},
): Promise<string | null> {
  return applied(await migrator(db, options).migrateDown(), 'Down')[0] ?? null;
}

/** Every known migration in order, with when it ran (null while pending). */
export async function migrationStatus<DB>(
  db: Kysely<DB>,
  options: MigrationOptions = {},
): Promise<MigrationStatus[]> {
  const infos = await migrator(db, options).getMigrations();
  return infos.map((info) => ({ name: info.name, executedAt: info.executedAt ?? null }));
}

function migrator<DB>(db: Kysely<DB>, options: MigrationOptions): Migrator {
  // Migrations run against whatever the schema is at their point in history, not today's types.
  return new Migrator({
    db: db as Kysely<unknown>,
    provider: new FolderMigrationProvider(options.folder ?? defaultMigrationsFolder()),
  });
}

function applied(result: MigrationResultSet, direction: 'Up' | 'Down'): string[] {
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? null;
    if (result.error instanceof MigrationError) throw result.error;
    const reason =
      result.error instanceof Error ? result.error.message : JSON.stringify(result.error);
    const what = failed === null ? 'migration' : `migration ${failed} (${direction.toLowerCase()})`;
    throw new MigrationError(`${what} failed: ${reason}`, failed, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Loads `NNNN_name.{ts,js}` files; names carry no extension, so source and dist agree. */
class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const ext = EXT;
    const names = await this.list(this.folder, ext);
    const parent = path.dirname(path.resolve(this.folder));
    if (!RUNNING_FROM_SOURCE && path.basename(this.folder) === 'dist') {
      // A source migration without its compiled twin would silently never run.
      const sources = await this.list(parent, '.ts').catch(() => []);
      const missing = sources.find((name) => !names.includes(name));
      if (missing !== undefined) {
        throw new MigrationError(
          `migration ${missing} is not compiled (run \`pnpm build\`)`,
          missing,
        );
      }
    }
    allowKyselyImport(this.folder);
    const migrations: Record<string, Migration> = {};
    for (const name of names) {
      const url = pathToFileURL(path.join(this.folder, `${name}${ext}`)).href;
      let module: Partial<Migration>;
      try {
        module = (await import(url)) as Partial<Migration>;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new MigrationError(`migration ${name} cannot be loaded: ${reason}`, name, {
          cause: err,
        });
      }
      if (typeof module.up !== 'function' || typeof module.down !== 'function') {
        throw new MigrationError(`migration ${name} must export up(db) and down(db)`, name);
      }
      migrations[name] = { up: module.up, down: module.down };
    }
    return migrations;
  }

  private async list(folder: string, ext: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(folder);
    } catch (err) {
      const hint = RUNNING_FROM_SOURCE ? '' : ' (run `pnpm build`)';
      throw new MigrationError(`cannot read the migrations folder ${folder}${hint}`, null, {
        cause: err,
      });
    }
    return entries
      .filter((file) => file.endsWith(ext) && !file.endsWith('.d.ts'))
      .map((file) => file.slice(0, -ext.length))
      .filter((name) => NAME.test(name))
      .sort();
  }
}

const hooked = new Set<string>();

/**
 * Migrations `import { sql } from 'kysely'`, but the top-level migrations folder is no package
 * and has no node_modules of its own: resolve `kysely` imported from there to this package's
 * copy (also the very instance the migrator uses).
 */
function allowKyselyImport(folder: string): void {
  const folderUrl = pathToFileURL(path.resolve(folder) + path.sep).href;
  if (hooked.has(folderUrl)) return;
  hooked.add(folderUrl);
  const hooks = `
    let folder, target;
    export function initialize(data) { folder = data.folder; target = data.target; }
    export async function resolve(specifier, context, next) {
      if (specifier === 'kysely' && context.parentURL?.startsWith(folder)) return { url: target, shortCircuit: true };
      return next(specifier, context);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
    data: { folder: folderUrl, target: import.meta.resolve('kysely') },
  });
}
