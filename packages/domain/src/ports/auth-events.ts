/** How a login attempt ended. `locked`: refused by the per-account throttle before any check. */
export const LOGIN_OUTCOMES = ['success', 'invalid_credentials', 'suspended', 'locked'] as const;
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];

/** How a refresh-token exchange ended (reuse of a rotated token is also `invalid`). */
export const REFRESH_OUTCOMES = ['success', 'invalid'] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

/** How one delivery attempt of a mail ended (a failed attempt is retried by the job queue). */
export const MAIL_OUTCOMES = ['sent', 'failed'] as const;
export type MailOutcome = (typeof MAIL_OUTCOMES)[number];

/**
 * An authentication outcome worth counting (for metrics, not an audit record): it carries no
 * user data, so any sink may keep it. Emitted once the outcome is final (after the commit).
 */
export type AuthEvent =
  | { readonly type: 'registration' }
  | { readonly type: 'login'; readonly outcome: LoginOutcome }
  | { readonly type: 'refresh'; readonly outcome: RefreshOutcome }
  | { readonly type: 'refresh_token_reuse' }
  | { readonly type: 'mail'; readonly outcome: MailOutcome };

/** Receives authentication outcomes (e.g. Prometheus counters). */
export interface AuthEvents {
  /** Counts `event`; never throws and never blocks the use case. */
  emit(event: AuthEvent): void;
}
