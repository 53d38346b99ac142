import { ValidationError } from '@latchkey/domain';
import { sql, type RawBuilder } from 'kysely';
import { isUuid } from './driver-errors.js';

/**
 * A keyset position: the sort it was made for, the last row's sort key (as PostgreSQL text, so a
 * timestamp keeps its microseconds) and its id. Opaque to clients: base64url of a JSON array.
 */
export interface KeysetPosition {
  readonly sort: string;
  readonly key: string;
  readonly id: string;
}

const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const MAX_CURSOR_LENGTH = 1024;

const invalidCursor = (message: string): ValidationError =>
  new ValidationError([{ path: '/cursor', message }]);

/** @returns the cursor of `position`. */
export const encodeCursor = (position: KeysetPosition): string =>
  Buffer.from(JSON.stringify([position.sort, position.key, position.id]), 'utf8').toString(
    'base64url',
  );

/**
 * @returns the position in `cursor`, made for `sort`, whose key is a timestamp when
 * `timestampKey`. @throws ValidationError (path `/cursor`) for anything else.
 */
export const decodeCursor = (
  cursor: string,
  sort: string,
  timestampKey: boolean,
): KeysetPosition => {
  if (
    cursor.length === 0 ||
    cursor.length > MAX_CURSOR_LENGTH ||
    !/^[A-Za-z0-9_-]+$/.test(cursor)
  ) {
    throw invalidCursor('is not a valid cursor');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('is not a valid cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !parsed.every((part): part is string => typeof part === 'string')
  ) {
    throw invalidCursor('is not a valid cursor');
  }
  const [madeFor, key, id] = parsed as [string, string, string];
  if (madeFor !== sort) throw invalidCursor(`was made for another sort (${madeFor.slice(0, 20)})`);
  if (!isUuid(id) || (timestampKey && !TIMESTAMP_KEY.test(key)) || key.length > 320) {
    throw invalidCursor('is not a valid cursor');
  }
  return { sort: madeFor, key, id };
};

/** `column` as UTC text with microseconds: the exact value a cursor carries. */
export const timestampKey = (column: string): RawBuilder<string> =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Escapes LIKE wildcards, so that `q` matches as a plain substring (backslash is the escape). */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
