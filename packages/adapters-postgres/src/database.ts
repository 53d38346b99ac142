import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A `timestamptz`: read as a Date, written as a Date or an ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A `timestamptz` with a database default (`now()`). */
export type DefaultedTimestamp = Generated<Date>;

/** `users` (migration 0001). Emails are unique ignoring case (`users_email_lower_key`). */
export interface UsersTable {
  id: string;
  email: string;
  password_hash: string | null;
  status: 'unverified' | 'active' | 'suspended';
  display_name: string | null;
  pending_email: string | null;
  email_verified_at: Timestamp | null;
  last_login_at: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** `roles` (0002). */
export interface RolesTable {
  name: string;
  description: string;
  created_at: DefaultedTimestamp;
}

/** `permissions` (0002). */
export interface PermissionsTable {
  name: string;
  description: string;
}

/** `role_permissions` (0002). */
export interface RolePermissionsTable {
  role_name: string;
  permission_name: string;
}

/** `user_roles` (0002). */
export interface UserRolesTable {
  user_id: string;
  role_name: string;
}

/** `sessions` (0002): one refresh-token family each. */
export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: DefaultedTimestamp;
  last_used_at: DefaultedTimestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  user_agent: string | null;
  ip: string | null;
  tokens_valid_from: Timestamp;
}

/** `refresh_tokens` (0002): hashes only. */
export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  created_at: DefaultedTimestamp;
  rotated_at: Timestamp | null;
}

/** `signing_keys` (0002). */
export interface SigningKeysTable {
  kid: string;
  algorithm: string;
  public_key: string;
  private_key_encrypted: string;
  created_at: DefaultedTimestamp;
  retired_at: Timestamp | null;
}

/** `audit_events` (0002); `data` is jsonb, written as a JSON string. */
export interface AuditEventsTable {
  id: string;
  type: string;
  actor_id: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  // default '{}'
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
}

/** Every table the adapter reads or writes, by name. */
export interface Database {
  users: UsersTable;
  roles: RolesTable;
  permissions: PermissionsTable;
  role_permissions: RolePermissionsTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  one_time_tokens: OneTimeTokensTable;
  mail_log: MailLogTable;
  job_worker_heartbeats: JobWorkerHeartbeatsTable;
  user_auth_providers: UserAuthProvidersTable;
  oauth_pending_links: OAuthPendingLinksTable;
  oauth_states: OAuthStatesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type RoleRow = Selectable<RolesTable>;
export type SessionRow = Selectable<SessionsTable>;
export type NewSessionRow = Insertable<SessionsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
export type SigningKeyRow = Selectable<SigningKeysTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;

/** `one_time_tokens` (0003): single-use tokens by SHA-256 hash. */
export interface OneTimeTokensTable {
  token_hash: string;
  user_id: string;
  purpose: 'verify_account' | 'verify_email_change' | 'password_reset' | 'oauth_link';
  email: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  superseded_at: Timestamp | null;
}

/** `mail_log` (0003): quota-limited mails sent per account. */
export interface MailLogTable {
  id: Generated<string>;
  user_id: string;
  kind: string;
  created_at: Timestamp;
}

/** `job_worker_heartbeats` (0003): live job worker pools, to unlock the jobs of dead ones. */
export interface JobWorkerHeartbeatsTable {
  pool_id: string;
  hostname: string;
  pid: number;
  started_at: DefaultedTimestamp;
  last_seen_at: DefaultedTimestamp;
}

export type OneTimeTokenRow = Selectable<OneTimeTokensTable>;

/** `user_auth_providers` (0004): provider identities, keyed on (provider, subject). */
export interface UserAuthProvidersTable {
  user_id: string;
  provider: 'google' | 'github' | 'oidc';
  subject: string;
  email: string | null;
  email_verified: ColumnType<boolean, boolean | undefined, boolean>;
  linked_at: DefaultedTimestamp;
}

/** `oauth_pending_links` (0004): identities waiting for a password-proven link. */
export interface OAuthPendingLinksTable {
  token_hash: string;
  user_id: string;
  provider: 'google' | 'github' | 'oidc';
  subject: string;
  email: string | null;
  email_verified: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** `oauth_states` (0004): authorization requests in flight, each redeemable once. */
export interface OAuthStatesTable {
  state_hash: string;
  created_at: DefaultedTimestamp;
  expires_at: Timestamp;
}

export type UserAuthProviderRow = Selectable<UserAuthProvidersTable>;
export type PendingLinkRow = Selectable<OAuthPendingLinksTable>;
