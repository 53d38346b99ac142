/** The fields of a pg `DatabaseError` the adapter reads. */
interface PgError {
  readonly code?: unknown;
  readonly constraint?: unknown;
}

const sqlState = (err: unknown, code: string, constraint?: string): boolean => {
  if (err === null || typeof err !== 'object') return false;
  const pgError = err as PgError;
  return pgError.code === code && (constraint === undefined || pgError.constraint === constraint);
};

/** 23505: unique violation, optionally of one constraint or unique index. */
export const isUniqueViolation = (err: unknown, constraint?: string): boolean =>
  sqlState(err, '23505', constraint);

/** 23503: foreign key violation, optionally of one constraint. */
export const isForeignKeyViolation = (err: unknown, constraint?: string): boolean =>
  sqlState(err, '23503', constraint);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in canonical form: anything else cannot name a row, and is absent. */
export const isUuid = (value: string): boolean => UUID.test(value);
