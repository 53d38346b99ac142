import type {
  changePassword,
  deleteAccount,
  forgotPassword,
  getProfile,
  listSessions,
  login,
  logout,
  refreshSession,
  registerUser,
  resendVerification,
  resetPassword,
  revokeSession,
  updateProfile,
  verifyEmail,
} from '@latchkey/application';

/** The use cases the routes call, built by the composition root. */
export interface AccountUseCases {
  readonly register: ReturnType<typeof registerUser>;
  readonly login: ReturnType<typeof login>;
  readonly refresh: ReturnType<typeof refreshSession>;
  readonly logout: ReturnType<typeof logout>;
  readonly getProfile: ReturnType<typeof getProfile>;
  readonly updateProfile: ReturnType<typeof updateProfile>;
  readonly deleteAccount: ReturnType<typeof deleteAccount>;
  readonly changePassword: ReturnType<typeof changePassword>;
  readonly listSessions: ReturnType<typeof listSessions>;
  readonly revokeSession: ReturnType<typeof revokeSession>;
  readonly verifyEmail: ReturnType<typeof verifyEmail>;
  readonly resendVerification: ReturnType<typeof resendVerification>;
  readonly forgotPassword: ReturnType<typeof forgotPassword>;
  readonly resetPassword: ReturnType<typeof resetPassword>;
}
