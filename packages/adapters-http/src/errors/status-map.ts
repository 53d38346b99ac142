import type { DomainErrorCode } from '@latchkey/domain';

/** The one mapping of domain errors to HTTP statuses; exhaustive at compile time. */
export const STATUS = {
  validation_failed: 400,
  invalid_token: 400,
  invalid_oauth_state: 400,
  invalid_credentials: 401,
  invalid_refresh_token: 401,
  invalid_current_password: 403,
  account_suspended: 403,
  forbidden: 403,
  not_found: 404,
  email_taken: 409,
  already_verified: 409,
  already_deleted: 409,
  not_deleted: 409,
  last_admin: 409,
  last_login_method: 409,
  rate_limited: 429,
  service_unavailable: 503,
} as const satisfies Record<DomainErrorCode, number>;
