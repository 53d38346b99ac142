export type { AccountDeps, AuthSettings } from './deps.js';
export type { Principal, RefreshGrant, TokenPair } from './types.js';
export { registerUser, type RegisterInput } from './register-user.js';
export { login, type LoginInput, type LoginResult } from './login.js';
export { refreshSession } from './refresh-session.js';
export { logout, type LogoutInput } from './logout.js';
export { getProfile, requireLiveUser } from './current-user.js';
export { updateProfile, type UpdateProfileInput } from './update-profile.js';
export { deleteAccount, guardLastAdmin } from './delete-account.js';
export { changePassword, type ChangePasswordInput } from './change-password.js';
export { listSessions, revokeSession, type SessionView } from './sessions.js';
export {
  createSessionGuard,
  type AccessCheck,
  type SessionGuard,
  type SessionGuardOptions,
} from './session-guard.js';
export {
  InProcessLoginThrottle,
  lockSeconds,
  type LoginThrottleSettings,
} from './in-process-login-throttle.js';
export {
  QueuedAccountMail,
  type QueuedAccountMailDeps,
  type TokenSettings,
} from './queued-account-mail.js';
export {
  renderMail,
  maskEmail,
  verificationLink,
  resetLink,
  describeDuration,
  type MailTemplateOptions,
} from './mail-templates.js';
export { InvalidJobPayloadError, parseMailRequest, parseResetRequest } from './job-payloads.js';
export { deliverMail } from './deliver-mail.js';
export { verifyEmail } from './verify-email.js';
export { resendVerification } from './resend-verification.js';
export { forgotPassword } from './forgot-password.js';
export { requestPasswordReset } from './request-password-reset.js';
export { resetPassword, type ResetPasswordInput } from './reset-password.js';
export { purgeExpired } from './purge-expired.js';
export { anonymiseDeletedAccounts } from './anonymise-deleted-accounts.js';
export {
  InProcessRateLimitStore,
  type InProcessRateLimitStoreOptions,
} from './in-process-rate-limit-store.js';
export {
  OPERATOR,
  assertAnotherAdmin,
  assertKnownRoles,
  lockActiveAdmins,
  toAdminUser,
  type Actor,
  type AdminDeps,
  type AdminUser,
} from './admin-deps.js';
export { adminListUsers } from './admin-list-users.js';
export { adminGetUser } from './admin-get-user.js';
export { adminUpdateUser, type AdminUpdateInput } from './admin-update-user.js';
export { adminDeleteUser } from './admin-delete-user.js';
export { adminRestoreUser } from './admin-restore-user.js';
export { adminCreateUser, type AdminCreateUserInput } from './admin-create-user.js';
export { listRoles } from './list-roles.js';
export { listAuditEvents } from './list-audit-events.js';
export { permissionsFor } from './permissions-for.js';
export {
  InProcessPermissionCache,
  type InProcessPermissionCacheOptions,
} from './in-process-permission-cache.js';
export {
  OAUTH_FAILURES,
  type OAuthDeps,
  type OAuthFailure,
  type OAuthFlow,
  type OAuthOutcome,
  type OAuthSettings,
} from './oauth-types.js';
export {
  DEFAULT_REDIRECT,
  beginOAuth,
  type BeginOAuthInput,
  type BegunOAuth,
} from './begin-oauth.js';
export { completeOAuth, type CompleteOAuthInput } from './complete-oauth.js';
export { linkProvider } from './link-provider.js';
export { listProviders, unlinkProvider } from './connected-providers.js';
export { CachedRoleCatalogue } from './cached-role-catalogue.js';
