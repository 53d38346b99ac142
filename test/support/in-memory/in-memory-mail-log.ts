import type { MailLog, QuotaMailKind, UserId } from '@latchkey/domain';

/** MailLog over an array (the fake runs transactions one at a time, so no lock is needed). */
export class InMemoryMailLog implements MailLog {
  readonly entries: { userId: UserId; kind: QuotaMailKind; at: Date }[] = [];

  async tryRecord(
    userId: UserId,
    kind: QuotaMailKind,
    now: Date,
    quota: { readonly max: number; readonly since: Date },
  ): Promise<boolean> {
    const recent = this.entries.filter(
      (e) => e.userId === userId && e.at.getTime() > quota.since.getTime(),
    );
    if (recent.length >= quota.max) return false;
    this.entries.push({ userId, kind, at: now });
    return true;
  }
}
