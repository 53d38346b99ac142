import type { RoleName, User, UserId, UserRepository } from '@latchkey/domain';
import { ADMIN_ROLE, EmailTakenError, ValidationError, normalizeEmail } from '@latchkey/domain';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Database, NewUserRow, UserRow } from './database.js';
import { isForeignKeyViolation, isUniqueViolation, isUuid } from './driver-errors.js';
import { prepared } from './pool.js';
import { StatementCache } from './statement-cache.js';

/** The unique index on lower(email) (migration 0001). */
const EMAIL_INDEX = 'users_email_lower_key';
const ROLE_FOREIGN_KEY = 'user_roles_role_name_fkey';

type UserWithRolesRow = UserRow & { roles: string[] };

/** Every users column, named: the reads below are prepared statements (see `prepared`). */
const USER_COLUMNS = [
  'users.id',
  'users.email',
  'users.password_hash',
  'users.status',
  'users.display_name',
  'users.pending_email',
  'users.email_verified_at',
  'users.last_login_at',
  'users.deleted_at',
  'users.created_at',
  'users.updated_at',
] as const;

/** Maps a users row and its role names to the aggregate. */
export const toUser = (row: UserWithRolesRow): User => ({
  id: row.id,
  email: row.email,
  pendingEmail: row.pending_email,
  displayName: row.display_name,
  status: row.status,
  passwordHash: row.password_hash,
  roles: row.roles,
  emailVerifiedAt: row.email_verified_at,
  lastLoginAt: row.last_login_at,
  deletedAt: row.deleted_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Maps the aggregate to a users row (roles live in user_roles). */
export const toUserRow = (user: User): NewUserRow & { created_at: Date } => ({
  id: user.id,
  email: user.email,
  pending_email: user.pendingEmail,
  display_name: user.displayName,
  status: user.status,
  password_hash: user.passwordHash,
  email_verified_at: user.emailVerifiedAt,
  last_login_at: user.lastLoginAt,
  deleted_at: user.deletedAt,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
});

const uniqueRoles = (roles: readonly RoleName[]): string[] => [...new Set(roles)].sort();

/** Driver errors of a user write, as domain errors. */
const mapWriteError = (err: unknown): unknown => {
  if (isUniqueViolation(err, EMAIL_INDEX)) return new EmailTakenError(undefined, { cause: err });
  if (isForeignKeyViolation(err, ROLE_FOREIGN_KEY)) {
    return new ValidationError([{ path: '/roles', message: 'unknown role' }]);
  }
  return err;
};

/**
 * UserRepository on PostgreSQL. A user and its roles are read in one round trip; roles come
 * back sorted by name. The reads, `update` and `recordSignIn` are prepared statements: the reads
 * run on every login and every authenticated read, the writes on a login's transaction (see
 * PostgresSignInRecorder for its usual one-statement write). The reads and `recordSignIn` are
 * built once per statement cache (pass the unit of work's, see StatementCache).
 */
export class PostgresUserRepository implements UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly statements: StatementCache = new StatementCache(),
  ) {}

  private async readOne(query: CompiledQuery<UserWithRolesRow>): Promise<User | null> {
    const { rows } = await this.db.executeQuery(query);
    const row = rows[0];
    return row === undefined ? null : toUser(row);
  }

  private selectUser() {
    return this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .select(
        sql<
          string[]
        >`coalesce((select array_agg(ur.role_name order by ur.role_name) from user_roles ur where ur.user_id = users.id), '{}')`.as(
          'roles',
        ),
      );
  }

  async findById(id: UserId): Promise<User | null> {
    if (!isUuid(id)) return null;
    return this.readOne(
      this.statements.get('users.findById', [id], () =>
        this.selectUser().where('users.id', '=', id),
      ),
    );
  }

  async findByEmail(email: string): Promise<User | null> {
    const normalized = normalizeEmail(email);
    // lower() on both sides, as in the unique index, so the index answers.
    return this.readOne(
      this.statements.get('users.findByEmail', [normalized], () =>
        this.selectUser().where(sql`lower(users.email)`, '=', sql`lower(${normalized})`),
      ),
    );
  }

  async findByIdForUpdate(id: UserId): Promise<User | null> {
    if (!isUuid(id)) return null;
    return this.readOne(
      this.statements.get('users.findByIdForUpdate', [id], () =>
        this.selectUser().where('users.id', '=', id).forUpdate('users'),
      ),
    );
  }

  async recordSignIn(id: UserId, at: Date): Promise<void> {
    if (!isUuid(id)) return;
    // The UPDATE takes the row lock: one round trip instead of a locking read and a write.
    await this.db.executeQuery(
      this.statements.get('users.recordSignIn', [at, id], () =>
        this.db.updateTable('users').set({ last_login_at: at }).where('id', '=', id),
      ),
    );
  }

  async insert(user: User): Promise<void> {
    try {
      // One statement: the user and its roles are written together or not at all.
      await this.db
        .with('inserted', (db) => db.insertInto('users').values(toUserRow(user)).returning('id'))
        .insertInto('user_roles')
        .columns(['user_id', 'role_name'])
        .expression((eb) =>
          eb
            .selectFrom('inserted')
            .select([
              'inserted.id',
              sql<string>`unnest(${uniqueRoles(user.roles)}::text[])`.as('role_name'),
            ]),
        )
        .execute();
    } catch (err) {
      throw mapWriteError(err);
    }
  }

  async update(user: User): Promise<void> {
    const { id: _id, created_at: _createdAt, ...fields } = toUserRow(user);
    try {
      // Every column is set: one statement text, prepared (profile changes, a login's rehash).
      await this.db.executeQuery(
        prepared(this.db.updateTable('users').set(fields).where('id', '=', user.id).compile()),
      );
    } catch (err) {
      throw mapWriteError(err);
    }
  }

  async setRoles(id: UserId, roles: readonly RoleName[]): Promise<void> {
    if (!isUuid(id)) return;
    const names = uniqueRoles(roles);
    try {
      // One statement: drop the roles not listed, add the missing ones (none for an absent user).
      await this.db
        .with('dropped', (db) =>
          db
            .deleteFrom('user_roles')
            .where('user_id', '=', id)
            .where(sql<boolean>`role_name <> all(${names}::text[])`),
        )
        .insertInto('user_roles')
        .columns(['user_id', 'role_name'])
        .expression((eb) =>
          eb
            .selectFrom('users')
            .select(['users.id', sql<string>`unnest(${names}::text[])`.as('role_name')])
            .where('users.id', '=', id),
        )
        .onConflict((oc) => oc.columns(['user_id', 'role_name']).doNothing())
        .execute();
    } catch (err) {
      throw mapWriteError(err);
    }
  }

  async lockActiveAdmins(): Promise<UserId[]> {
    const rows = await this.db
      .selectFrom('users')
      .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
      .select('users.id')
      .where('user_roles.role_name', '=', ADMIN_ROLE)
      .where('users.deleted_at', 'is', null)
      .where('users.status', '<>', 'suspended')
      // A fixed lock order: two transactions locking the admins cannot deadlock each other.
      .orderBy('users.id')
      .forUpdate('users')
      .execute();
    return rows.map((row) => row.id);
  }
}
