import type {
  AccountMail,
  Clock,
  JobQueue,
  MailLog,
  OneTimeTokenRepository,
  SecretTokens,
  User,
  VerificationPurpose,
} from '@latchkey/domain';
import { MAIL_QUOTA } from '@latchkey/domain';

/** Lifetimes of the single-use tokens, in seconds. */
export interface TokenSettings {
  readonly verifyTokenTtl: number;
  readonly resetTokenTtl: number;
}

/** The ports of one transaction that AccountMail writes through. */
export interface QueuedAccountMailDeps {
  readonly tokens: OneTimeTokenRepository;
  readonly mailLog: MailLog;
  readonly jobs: JobQueue;
  readonly secrets: SecretTokens;
  readonly clock: Clock;
  readonly settings: TokenSettings;
}

type LinkKind = VerificationPurpose | 'password_reset';

/**
 * AccountMail over a job queue, bound to one transaction: link mails issue their token (only
 * its hash is stored; older tokens of the purpose are superseded) and queue a `send_mail` job.
 * Verification and reset mails together respect `MAIL_QUOTA` per account; over it, neither a
 * token nor a mail is made, so the links already sent keep working.
 */
export class QueuedAccountMail implements AccountMail {
  constructor(private readonly deps: QueuedAccountMailDeps) {}

  async requestVerification(user: User, purpose: VerificationPurpose): Promise<void> {
    const to = purpose === 'verify_account' ? user.email : user.pendingEmail;
    if (to === null) throw new Error('no pending email to verify');
    await this.linkMail(user, purpose, to, this.deps.settings.verifyTokenTtl);
  }

  async requestPasswordReset(user: User): Promise<void> {
    await this.linkMail(user, 'password_reset', user.email, this.deps.settings.resetTokenTtl);
  }

  async passwordChanged(user: User, how: 'changed' | 'reset'): Promise<void> {
    await this.deps.jobs.add('send_mail', {
      kind: 'password_changed',
      to: user.email,
      userId: user.id,
      displayName: user.displayName,
      how,
    });
  }

  async emailChanged(user: User, oldEmail: string): Promise<void> {
    await this.deps.jobs.add('send_mail', {
      kind: 'email_changed',
      to: oldEmail,
      userId: user.id,
      displayName: user.displayName,
      newEmail: user.email,
    });
  }

  private async linkMail(
    user: User,
    kind: LinkKind,
    to: string,
    ttlSeconds: number,
  ): Promise<void> {
    const { tokens, mailLog, jobs, secrets, clock } = this.deps;
    const now = clock.now();
    const since = new Date(now.getTime() - MAIL_QUOTA.windowSeconds * 1000);
    if (!(await mailLog.tryRecord(user.id, kind, now, { max: MAIL_QUOTA.max, since }))) return;
    const token = secrets.generate();
    const tokenHash = secrets.hash(token);
    await tokens.supersede(user.id, [kind], now);
    await tokens.insert({
      tokenHash,
      userId: user.id,
      purpose: kind,
      email: kind === 'password_reset' ? null : to,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      usedAt: null,
      supersededAt: null,
    });
    const base = { to, userId: user.id, displayName: user.displayName, token };
    await jobs.add('send_mail', { ...base, kind });
  }
}
