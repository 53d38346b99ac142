import type { AccountDeps, AuthSettings } from '@latchkey/application';
import type { RoleName, Session, User, UserStatus } from '@latchkey/domain';
import { DEFAULT_ROLE } from '@latchkey/domain';
import { FakeAccessTokenIssuer } from './fake-access-token-issuer.js';
import { FakePasswordHasher } from './fake-password-hasher.js';
import { FakeSecretTokens } from './fake-secret-tokens.js';
import { FixedClock } from './fixed-clock.js';
import {
  InMemoryDatabase,
  type MailCall,
  type StoredAuditEvent,
  type StoredSession,
} from './in-memory-database.js';
import {
  InMemoryLoginThrottle,
  type InMemoryLoginThrottleOptions,
} from './in-memory-login-throttle.js';
import { InMemoryRoleRepository } from './in-memory-role-repository.js';
import { InMemorySessionRepository } from './in-memory-session-repository.js';
import { InMemorySignInRecorder } from './in-memory-sign-in-recorder.js';
import { InMemoryUnitOfWork } from './in-memory-unit-of-work.js';
import { InMemoryUserRepository } from './in-memory-user-repository.js';
import { SequentialIds } from './sequential-ids.js';

export const DEFAULT_TEST_SETTINGS: AuthSettings = {
  accessTokenTtl: 900,
  refreshTokenTtl: 30 * 24 * 3600,
  refreshReuseGrace: 10,
};

export interface MakeAccountDepsOptions {
  readonly settings?: Partial<AuthSettings>;
  readonly start?: Date | string;
  readonly throttle?: InMemoryLoginThrottleOptions;
}

export interface SeedUserInput {
  readonly email?: string;
  /** Hashed with the fake hasher; null for a provider-only account. */
  readonly password?: string | null;
  readonly status?: UserStatus;
  readonly roles?: readonly RoleName[];
  readonly displayName?: string | null;
  readonly pendingEmail?: string | null;
  readonly deletedAt?: Date | null;
}

/** AccountDeps over the fakes, with the fakes' own types kept for assertions and set-up. */
export interface TestAccountDeps extends AccountDeps {
  readonly db: InMemoryDatabase;
  readonly users: InMemoryUserRepository;
  readonly sessions: InMemorySessionRepository;
  readonly roles: InMemoryRoleRepository;
  readonly unitOfWork: InMemoryUnitOfWork;
  readonly signIns: InMemorySignInRecorder;
  readonly hasher: FakePasswordHasher;
  readonly accessTokens: FakeAccessTokenIssuer;
  readonly secrets: FakeSecretTokens;
  readonly clock: FixedClock;
  readonly ids: SequentialIds;
  readonly throttle: InMemoryLoginThrottle;
  readonly settings: AuthSettings;
  /** Committed audit rows, oldest first. */
  auditEvents(): readonly StoredAuditEvent[];
  /** Committed mail calls, oldest first. */
  mailCalls(): readonly MailCall[];
  /** The committed session row, with its revocation reason and tokensValidFrom. */
  storedSession(id: string): StoredSession | undefined;
  /** Inserts a user directly (no use case, no audit), password hashed by the fake hasher. */
  seedUser(input?: SeedUserInput): Promise<User>;
  /** Opens a session directly. @returns it and its refresh token. */
  seedSession(
    user: User,
    lifetimeSeconds?: number,
  ): Promise<{ session: Session; refreshToken: string }>;
}

/** Builds the account use cases' dependencies over fresh fakes. */
export const makeAccountDeps = (options: MakeAccountDepsOptions = {}): TestAccountDeps => {
  const db = new InMemoryDatabase();
  const clock = new FixedClock(options.start);
  const ids = new SequentialIds(clock);
  const hasher = new FakePasswordHasher();
  const secrets = new FakeSecretTokens();
  const settings = { ...DEFAULT_TEST_SETTINGS, ...options.settings };
  const access = db.autocommit();
  let seeded = 0;
  const deps: TestAccountDeps = {
    db,
    users: new InMemoryUserRepository(access),
    sessions: new InMemorySessionRepository(access),
    roles: new InMemoryRoleRepository(access),
    unitOfWork: new InMemoryUnitOfWork(db, ids, clock),
    signIns: new InMemorySignInRecorder(access, ids, clock),
    hasher,
    accessTokens: new FakeAccessTokenIssuer(settings.accessTokenTtl),
    secrets,
    clock,
    ids,
    throttle: new InMemoryLoginThrottle(clock, options.throttle),
    settings,
    auditEvents: () => db.committed.audit,
    mailCalls: () => db.committed.mail,
    storedSession: (id) => db.committed.sessions.get(id),
    async seedUser(input = {}) {
      seeded += 1;
      const now = clock.now();
      const password = input.password === undefined ? 'correct horse battery' : input.password;
      const status = input.status ?? 'active';
      const user: User = {
        id: ids.newId(),
        email: input.email ?? `user${seeded}@example.com`,
        pendingEmail: input.pendingEmail ?? null,
        displayName: input.displayName ?? null,
        status,
        passwordHash: password === null ? null : hasher.hashOf(password.normalize('NFKC')),
        roles: [...(input.roles ?? [DEFAULT_ROLE])].sort(),
        emailVerifiedAt: status === 'unverified' ? null : now,
        lastLoginAt: null,
        deletedAt: input.deletedAt ?? null,
        createdAt: now,
        updatedAt: now,
      };
      await deps.users.insert(user);
      return user;
    },
    async seedSession(user, lifetimeSeconds = settings.refreshTokenTtl) {
      const now = clock.now();
      const session: Session = {
        id: ids.newId(),
        userId: user.id,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000),
        revokedAt: null,
        userAgent: 'test-agent',
        ip: '192.0.2.1',
      };
      const refreshToken = secrets.generate();
      await deps.sessions.create(session, secrets.hash(refreshToken));
      return { session, refreshToken };
    },
  };
  return deps;
};
