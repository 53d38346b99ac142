/** What one purge removed. */
export interface PurgeResult {
  readonly tokens: number;
  readonly sessions: number;
  readonly mailLog: number;
}

/** Bulk maintenance of stored data, run by scheduled jobs. */
export interface Housekeeping {
  /**
   * Deletes single-use tokens that expired or were used or superseded before `tokensBefore`,
   * sessions whose absolute lifetime ended before `sessionsBefore`, and mail-log entries older
   * than `mailLogBefore`.
   */
  purgeExpired(cutoffs: {
    readonly tokensBefore: Date;
    readonly sessionsBefore: Date;
    readonly mailLogBefore: Date;
  }): Promise<PurgeResult>;
  /**
   * Anonymises accounts soft-deleted before `deletedBefore` (email `deleted+<id>@invalid`, no
   * name, password or pending email; their sessions and tokens deleted); the row and the audit
   * trail remain. Already anonymised accounts are skipped. @returns how many were anonymised.
   */
  anonymiseDeleted(deletedBefore: Date, now: Date): Promise<number>;
}
