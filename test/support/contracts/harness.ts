import type {
  AuditEvent,
  AuditLog,
  IdGenerator,
  OneTimeTokenRepository,
  RoleName,
  RoleRepository,
  Session,
  SessionRepository,
  SignIn,
  SignInRecorder,
  SigningKeyRepository,
  UnitOfWork,
  User,
  UserRepository,
} from '@latchkey/domain';
import type { Test } from 'tap';
import type { FixedClock } from '../in-memory/index.js';

/** An audit row as read back by a harness. */
export interface AuditRow extends AuditEvent {
  readonly id: string;
  readonly createdAt: Date;
}

/**
 * One implementation of the ports, over an empty store (default roles only). Repositories on
 * the harness itself work outside any transaction.
 */
export interface PortHarness {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly roles: RoleRepository;
  readonly audit: AuditLog;
  readonly signingKeys: SigningKeyRepository;
  readonly tokens: OneTimeTokenRepository;
  readonly unitOfWork: UnitOfWork;
  readonly signIns: SignInRecorder;
  readonly clock: FixedClock;
  readonly ids: IdGenerator;
  /** Committed audit rows, oldest first. */
  auditEvents(): Promise<AuditRow[]>;
  /** How many transactions are waiting for a lock right now. */
  blockedTransactions(): Promise<number>;
}

/** Makes a harness over a clean store. */
export type MakeHarness = () => Promise<PortHarness>;

export type TapTest = Test;

/** A new user (not stored), with ids and times from the harness. */
export const newUser = (h: PortHarness, fields: Partial<User> = {}): User => {
  const now = h.clock.now();
  const id = fields.id ?? h.ids.newId();
  return {
    id,
    email: `user-${id.slice(-12)}@example.com`,
    pendingEmail: null,
    displayName: 'Test User',
    status: 'active',
    passwordHash: 'hash',
    roles: ['user'] as RoleName[],
    emailVerifiedAt: now,
    lastLoginAt: null,
    deletedAt: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
};

/** A new live session of `user` (not stored). */
export const newSession = (h: PortHarness, user: User, fields: Partial<Session> = {}): Session => {
  const now = h.clock.now();
  return {
    id: h.ids.newId(),
    userId: user.id,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + 3600_000),
    revokedAt: null,
    userAgent: 'Mozilla/5.0 (contract)',
    ip: '198.51.100.7',
    ...fields,
  };
};

let hashes = 0;
/** A unique fake token hash. */
export const newHash = (): string =>
  `hash-${process.pid}-${++hashes}-${Math.random().toString(16).slice(2)}`;

/** A sign-in (not written) of `user` as read before its password check, one minute later. */
export const newSignIn = (h: PortHarness, user: User): SignIn => {
  const at = new Date(h.clock.now().getTime() + 60_000);
  const session = newSession(h, user, { createdAt: at, lastUsedAt: at });
  return {
    user,
    at,
    session,
    refreshTokenHash: newHash(),
    event: {
      type: 'user.login_succeeded',
      actorId: user.id,
      targetId: user.id,
      ip: '198.51.100.7',
      userAgent: 'Mozilla/5.0 (contract)',
      data: { sessionId: session.id },
    },
  };
};

/** Resolves once `condition` holds, polling; fails after `timeoutMs`. */
export const waitFor = async (
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** A promise with its resolve function, to hold a transaction open. */
export const gate = (): { promise: Promise<void>; open: () => void } => {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
};

/** Whether the promise has settled yet (checked after pending callbacks run). */
export const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};
