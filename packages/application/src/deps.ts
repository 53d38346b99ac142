import type {
  AccessTokenIssuer,
  AuthEvents,
  Clock,
  IdGenerator,
  LoginThrottle,
  PasswordHasher,
  PermissionCache,
  RoleRepository,
  SecretTokens,
  SessionRepository,
  SignInRecorder,
  UnitOfWork,
  UserRepository,
} from '@latchkey/domain';

/** Lifetimes and limits of sessions and tokens, in seconds. */
export interface AuthSettings {
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly refreshReuseGrace: number;
}

/** Everything the account use cases need, as ports. */
export interface AccountDeps {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly unitOfWork: UnitOfWork;
  /** Writes a login in one step when nothing changed while its password was checked. */
  readonly signIns: SignInRecorder;
  /** The role catalogue, outside any transaction (for the permissions of a login's token). */
  readonly roles: RoleRepository;
  readonly hasher: PasswordHasher;
  readonly accessTokens: AccessTokenIssuer;
  readonly secrets: SecretTokens;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly throttle: LoginThrottle;
  readonly settings: AuthSettings;
  /** Caches the permissions put in access tokens; absent: read from the role catalogue. */
  readonly permissionCache?: PermissionCache;
  /** Counts registrations, logins and refreshes (metrics); absent: nothing is counted. */
  readonly events?: AuthEvents;
}
