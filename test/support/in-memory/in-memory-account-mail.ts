import type { AccountMail, User, VerificationPurpose } from '@latchkey/domain';
import { clone, type MailCall, type StateAccess } from './in-memory-database.js';

/** AccountMail that records its calls in the fake database, so a rollback forgets them. */
export class InMemoryAccountMail implements AccountMail {
  constructor(private readonly access: StateAccess) {}

  /** @returns the calls recorded so far (committed ones, outside a transaction). */
  get calls(): readonly MailCall[] {
    return this.access.read().mail;
  }

  private async push(call: MailCall): Promise<void> {
    const copy = clone(call);
    await this.access.write((state) => {
      state.mail.push(copy);
    });
  }

  requestVerification(user: User, purpose: VerificationPurpose): Promise<void> {
    return this.push({ kind: 'requestVerification', user, purpose });
  }

  requestPasswordReset(user: User): Promise<void> {
    return this.push({ kind: 'requestPasswordReset', user });
  }

  passwordChanged(user: User, how: 'changed' | 'reset'): Promise<void> {
    return this.push({ kind: 'passwordChanged', user, how });
  }

  emailChanged(user: User, oldEmail: string): Promise<void> {
    return this.push({ kind: 'emailChanged', user, oldEmail });
  }
}
