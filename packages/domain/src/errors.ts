/** A field-level validation problem; `path` is a JSON Pointer into the request. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** Base of every expected failure. Carries a stable machine-readable `code`, never an HTTP status. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export const DOMAIN_ERROR_CODES = [
  'validation_failed',
  'invalid_credentials',
  'invalid_current_password',
  'already_verified',
  'invalid_refresh_token',
  'invalid_token',
  'account_suspended',
  'forbidden',
  'not_found',
  'email_taken',
  'already_deleted',
  'not_deleted',
  'last_admin',
  'last_login_method',
  'invalid_oauth_state',
  'rate_limited',
  'service_unavailable',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** Input that breaks a business rule (password policy, unknown role…). */
export class ValidationError extends DomainError {
  override readonly code = 'validation_failed';
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}
export class InvalidCredentialsError extends DomainError {
  override readonly code = 'invalid_credentials';
}
export class InvalidCurrentPasswordError extends DomainError {
  override readonly code = 'invalid_current_password';
}
export class AlreadyVerifiedError extends DomainError {
  override readonly code = 'already_verified';
}
export class InvalidRefreshTokenError extends DomainError {
  override readonly code = 'invalid_refresh_token';
}
/** A single-use token (verification, reset, link) that is unknown, expired, used or superseded. */
export class InvalidTokenError extends DomainError {
  override readonly code = 'invalid_token';
}
export class AccountSuspendedError extends DomainError {
  override readonly code = 'account_suspended';
}
export class ForbiddenError extends DomainError {
  override readonly code = 'forbidden';
}
export class NotFoundError extends DomainError {
  override readonly code = 'not_found';
}
/** The account a request acts for is gone (deleted); its credentials no longer stand. */
export class UserGoneError extends NotFoundError {}
export class EmailTakenError extends DomainError {
  override readonly code = 'email_taken';
}
export class AlreadyDeletedError extends DomainError {
  override readonly code = 'already_deleted';
}
export class NotDeletedError extends DomainError {
  override readonly code = 'not_deleted';
}
export class LastAdminError extends DomainError {
  override readonly code = 'last_admin';
}
export class LastLoginMethodError extends DomainError {
  override readonly code = 'last_login_method';
}
export class InvalidOAuthStateError extends DomainError {
  override readonly code = 'invalid_oauth_state';
}
/** Too many attempts; `retryAfterSeconds` tells the client when to try again. */
export class RateLimitedError extends DomainError {
  override readonly code = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super('too many attempts');
  }
}
/** A bounded resource (the hashing queue) is full; the caller should retry later. */
export class ServiceUnavailableError extends DomainError {
  override readonly code = 'service_unavailable';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'service temporarily unavailable',
  ) {
    super(message);
  }
}
