import type { RoleName } from '../permissions.js';
import type { User, UserStatus } from '../user.js';
import type { Page } from './page.js';

/** Orders of the user list: by creation time or by email (ignoring case), `-` for descending. */
export const USER_SORTS = ['createdAt', '-createdAt', 'email', '-email'] as const;
export type UserSort = (typeof USER_SORTS)[number];
export const DEFAULT_USER_SORT: UserSort = '-createdAt';

/** What the administrators' user list asks for. */
export interface UserListQuery {
  /** false: live users only; true: soft-deleted users only. */
  readonly deleted: boolean;
  /** 1 to MAX_PAGE_SIZE. */
  readonly limit: number;
  /** `nextCursor` of the previous page, made with the same `sort`; null for the first page. */
  readonly cursor: string | null;
  readonly sort: UserSort;
  readonly status?: UserStatus | undefined;
  /** Users holding this role. */
  readonly role?: RoleName | undefined;
  /** Case-insensitive substring of the email. */
  readonly q?: string | undefined;
  /** Created at or after this instant. */
  readonly createdFrom?: Date | undefined;
  /** Created at or before this instant. */
  readonly createdTo?: Date | undefined;
}

/**
 * The administrators' read side of the users: filtered, sorted, keyset-paginated lists whose
 * pages cost the same however deep they are (a `q` substring search may cost more).
 */
export interface UserDirectory {
  /**
   * @returns one page in `query.sort` order (ties broken by id), and the cursor of the next.
   * @throws ValidationError (path `/cursor`) when the cursor is malformed or made for another sort.
   */
  list(query: UserListQuery): Promise<Page<User>>;
}
