import { ValidationError } from '@latchkey/domain';

/** A position in a list of the fakes: the sort, the last item's key and id. */
export interface FakePosition {
  readonly sort: string;
  readonly key: string;
  readonly id: string;
}

export const encodeFakeCursor = (position: FakePosition): string =>
  Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

/** @throws ValidationError (path `/cursor`) like the PostgreSQL adapters. */
export const decodeFakeCursor = (cursor: string, sort: string): FakePosition => {
  const invalid = (message: string) => new ValidationError([{ path: '/cursor', message }]);
  let parsed: Partial<FakePosition> | null = null;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(cursor)
      ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<FakePosition>)
      : null;
  } catch {
    parsed = null;
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    typeof parsed.sort !== 'string' ||
    typeof parsed.key !== 'string' ||
    typeof parsed.id !== 'string'
  ) {
    throw invalid('is not a valid cursor');
  }
  if (parsed.sort !== sort) throw invalid('was made for another sort');
  return parsed as FakePosition;
};

/** Compares two [key, id] pairs. */
export const compareKeys = (a: readonly [string, string], b: readonly [string, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** One page of `sorted` after `after` (exclusive), with the next cursor. */
export const pageOf = <T>(
  sorted: readonly T[],
  keyOf: (item: T) => [string, string],
  descending: boolean,
  sort: string,
  cursor: string | null,
  limit: number,
): { items: T[]; nextCursor: string | null } => {
  let rest = [...sorted];
  if (cursor !== null) {
    const after = decodeFakeCursor(cursor, sort);
    rest = rest.filter((item) => {
      const c = compareKeys(keyOf(item), [after.key, after.id]);
      return descending ? c < 0 : c > 0;
    });
  }
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rest.length > limit && last !== undefined
      ? encodeFakeCursor({ sort, key: keyOf(last)[0], id: keyOf(last)[1] })
      : null;
  return { items, nextCursor };
};
