import type { SigningKeyRepository, StoredSigningKey } from '@latchkey/domain';
import { sql, type Kysely } from 'kysely';
import type { Database, SigningKeyRow } from './database.js';

/** Advisory lock id of signing-key creation (any constant unique within the database). */
const SIGNING_KEYS_LOCK = 0x4c4b_0001;

/** Maps a signing_keys row to the stored key. */
export const toStoredSigningKey = (row: SigningKeyRow): StoredSigningKey => ({
  kid: row.kid,
  algorithm: row.algorithm,
  publicKey: row.public_key,
  privateKeyEncrypted: row.private_key_encrypted,
  createdAt: row.created_at,
  retiredAt: row.retired_at,
});

/** SigningKeyRepository on PostgreSQL. */
export class PostgresSigningKeyRepository implements SigningKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<StoredSigningKey[]> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
    return rows.map(toStoredSigningKey);
  }

  async insert(key: StoredSigningKey): Promise<void> {
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        algorithm: key.algorithm,
        public_key: key.publicKey,
        private_key_encrypted: key.privateKeyEncrypted,
        created_at: key.createdAt,
        retired_at: key.retiredAt,
      })
      .execute();
  }

  async retireAllExcept(kid: string, at: Date): Promise<void> {
    await this.db
      .updateTable('signing_keys')
      .set({ retired_at: at })
      .where('kid', '<>', kid)
      .where('retired_at', 'is', null)
      .execute();
  }

  withLock<T>(fn: (keys: SigningKeyRepository) => Promise<T>): Promise<T> {
    const locked = async (trx: Kysely<Database>): Promise<T> => {
      // Transaction-level: released by commit or rollback, never leaked by a crash.
      await sql`select pg_advisory_xact_lock(${SIGNING_KEYS_LOCK}::bigint)`.execute(trx);
      return fn(new PostgresSigningKeyRepository(trx));
    };
    return this.db.isTransaction ? locked(this.db) : this.db.transaction().execute(locked);
  }
}
