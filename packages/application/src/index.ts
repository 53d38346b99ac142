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
