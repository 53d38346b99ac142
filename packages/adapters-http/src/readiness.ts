import type { CheckState, ReadinessProbe } from './routes/health-routes.js';

/** Checks one dependency. It may throw or hang: both count as `down`. */
export type DependencyCheck = () => Promise<CheckState>;

/** A check that has not answered by then is `down` (so `/ready` answers well within 2 s). */
export const DEFAULT_CHECK_TIMEOUT_MS = 1500;

const within = (check: DependencyCheck, timeoutMs: number): Promise<CheckState> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CheckState>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs);
  });
  const attempt = Promise.resolve()
    .then(check)
    .catch((): CheckState => 'down');
  return Promise.race([attempt, deadline]).finally(() => clearTimeout(timer));
};

/**
 * The `/ready` probe over named dependency checks, run at once, each with its own deadline:
 * a hung database makes `/ready` answer 503 after `timeoutMs` instead of hanging, and a slow
 * optional dependency (Redis) cannot hold the answer back longer than that either.
 */
export const readinessProbe =
  (
    checks: Readonly<Record<string, DependencyCheck>>,
    timeoutMs: number = DEFAULT_CHECK_TIMEOUT_MS,
  ): ReadinessProbe =>
  async () => {
    const names = Object.keys(checks);
    const states = await Promise.all(
      names.map((name) => within(checks[name] ?? (async () => 'down'), timeoutMs)),
    );
    return Object.fromEntries(names.map((name, i) => [name, states[i] ?? 'down']));
  };
