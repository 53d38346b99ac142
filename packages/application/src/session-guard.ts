import type {
  Clock,
  SessionAuthState,
  SessionId,
  SessionRepository,
  UserId,
} from '@latchkey/domain';

export interface SessionGuardOptions {
  /** How long a session's state is trusted in process; under 1 s so revocation lands in 1 s. */
  readonly ttlMs?: number;
  /** Most sessions remembered at once. */
  readonly maxEntries?: number;
}

/** What the bearer check asks about a verified access token. */
export interface AccessCheck {
  readonly userId: UserId;
  readonly sessionId: SessionId;
  /** When the token was issued, in ms (from its UUIDv7 `jti`). */
  readonly issuedAtMs: number;
}

/** Tells whether a verified token's session still stands. */
export type SessionGuard = (check: AccessCheck) => Promise<boolean>;

interface Entry {
  readonly state: SessionAuthState | null;
  readonly fetchedAt: number;
}

/**
 * Keeps tokens stateless on the hot path: each session's state is read at most once per `ttlMs`
 * (and concurrent misses share one read), so logout, revocation, suspension, deletion and role
 * changes reach every instance within `ttlMs` plus one query.
 */
export const createSessionGuard = (
  deps: { sessions: SessionRepository; clock: Clock },
  options: SessionGuardOptions = {},
): SessionGuard => {
  const ttlMs = options.ttlMs ?? 500;
  const maxEntries = options.maxEntries ?? 50_000;
  const cache = new Map<SessionId, Entry>();
  const inflight = new Map<SessionId, Promise<SessionAuthState | null>>();

  const load = (id: SessionId): Promise<SessionAuthState | null> => {
    const pending = inflight.get(id);
    if (pending) return pending;
    const read = deps.sessions
      .authState(id)
      .then((state) => {
        if (cache.size >= maxEntries) cache.clear();
        cache.set(id, { state, fetchedAt: deps.clock.now().getTime() });
        return state;
      })
      .finally(() => inflight.delete(id));
    inflight.set(id, read);
    return read;
  };

  return async (check) => {
    const now = deps.clock.now().getTime();
    const hit = cache.get(check.sessionId);
    const state =
      hit !== undefined && now - hit.fetchedAt < ttlMs ? hit.state : await load(check.sessionId);
    return (
      state !== null &&
      state.userId === check.userId &&
      !state.revoked &&
      !state.userDeleted &&
      state.userStatus !== 'suspended' &&
      state.expiresAt.getTime() > now &&
      check.issuedAtMs >= state.tokensValidFrom.getTime()
    );
  };
};
