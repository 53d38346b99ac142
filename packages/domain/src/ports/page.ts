/** One page of a keyset-paginated list. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque position after the last item; null on the last page. */
  readonly nextCursor: string | null;
}

/** Most items one page may hold. */
export const MAX_PAGE_SIZE = 100;
/** Items per page when the caller does not say. */
export const DEFAULT_PAGE_SIZE = 20;
