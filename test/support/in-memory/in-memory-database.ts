import type {
  AuditEvent,
  OneTimeToken,
  PendingLink,
  ProviderIdentity,
  RefreshTokenRecord,
  Role,
  RoleName,
  Session,
  SessionId,
  StoredSigningKey,
  User,
  UserId,
  VerificationPurpose,
} from '@latchkey/domain';
import { DEFAULT_ROLES } from '@latchkey/domain';

/** A session as the sessions table holds it. */
export interface StoredSession {
  readonly session: Session;
  readonly revokedReason: string | null;
  readonly tokensValidFrom: Date;
}

/** An audit row: the event with its id and time. */
export interface StoredAuditEvent extends AuditEvent {
  readonly id: string;
  readonly createdAt: Date;
}

/** A call made on AccountMail, kept only when its transaction commits. */
export type MailCall =
  | {
      readonly kind: 'requestVerification';
      readonly user: User;
      readonly purpose: VerificationPurpose;
    }
  | { readonly kind: 'requestPasswordReset'; readonly user: User }
  | { readonly kind: 'passwordChanged'; readonly user: User; readonly how: 'changed' | 'reset' }
  | { readonly kind: 'emailChanged'; readonly user: User; readonly oldEmail: string };

/** Every "table" of the fake database. */
export interface InMemoryState {
  users: Map<UserId, User>;
  sessions: Map<SessionId, StoredSession>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  roles: Map<RoleName, Role>;
  audit: StoredAuditEvent[];
  mail: MailCall[];
  signingKeys: Map<string, StoredSigningKey>;
  oneTimeTokens: Map<string, OneTimeToken>;
  /** Keyed on `${provider}\u0000${subject}`. */
  identities: Map<string, ProviderIdentity>;
  pendingLinks: Map<string, PendingLink>;
}

/** How a fake repository reaches its state: committed (autocommit) or a transaction's draft. */
export interface StateAccess {
  /** The state reads see. */
  read(): InMemoryState;
  /** Applies a write; outside a transaction it waits its turn like a one-statement transaction. */
  write<T>(change: (state: InMemoryState) => T): Promise<T>;
  /** Runs `work` in a transaction (a new one, or the current one when already inside). */
  transaction<T>(work: (access: StateAccess) => Promise<T>): Promise<T>;
}

export const clone = <T>(value: T): T => structuredClone(value);

/**
 * The fake database. Transactions run one at a time on a private copy of the state, which
 * replaces the committed state only when the work resolves: a throw leaves no trace. Writes
 * outside a transaction queue behind open transactions, as row locks would make them.
 */
export class InMemoryDatabase {
  #state: InMemoryState;
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  constructor(roles: readonly Role[] = DEFAULT_ROLES) {
    this.#state = {
      users: new Map(),
      sessions: new Map(),
      refreshTokens: new Map(),
      roles: new Map(roles.map((role) => [role.name, clone(role)])),
      audit: [],
      mail: [],
      signingKeys: new Map(),
      oneTimeTokens: new Map(),
      identities: new Map(),
      pendingLinks: new Map(),
    };
  }

  /** The committed state (for assertions; do not mutate). */
  get committed(): InMemoryState {
    return this.#state;
  }

  /** How many transactions wait for the one in progress (like sessions waiting on a lock). */
  get waitingTransactions(): number {
    return this.#waiting;
  }

  /** Runs `work` on a copy of the state; the copy is committed when `work` resolves. */
  async transaction<T>(work: (draft: InMemoryState) => Promise<T>): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#waiting += 1;
    try {
      await previous;
    } finally {
      this.#waiting -= 1;
    }
    try {
      const draft = clone(this.#state);
      const result = await work(draft);
      this.#state = draft;
      return result;
    } finally {
      release();
    }
  }

  /** Access to the committed state, each write its own transaction. */
  autocommit(): StateAccess {
    return {
      read: () => this.#state,
      write: (change) => this.transaction(async (draft) => change(draft)),
      transaction: (work) => this.transaction((draft) => work(draftAccess(draft))),
    };
  }
}

/** Access bound to one transaction's draft. */
export const draftAccess = (draft: InMemoryState): StateAccess => {
  const access: StateAccess = {
    read: () => draft,
    write: async (change) => change(draft),
    transaction: (work) => work(access),
  };
  return access;
};
