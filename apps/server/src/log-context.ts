import { AsyncLocalStorage } from 'node:async_hooks';

/** What the log lines written inside a scope (one job) carry. */
export interface LogScope {
  /** Added to every line written in the scope, e.g. `jobId` and `task`. */
  readonly fields: Readonly<Record<string, string | number>>;
}

const storage = new AsyncLocalStorage<LogScope>();
/** Scopes running now; the storage is switched off when none is. */
let open = 0;

/**
 * Runs `fn` in `scope`: every line written by what it calls, however deep and through whichever
 * logger, carries its fields.
 *
 * On Node 20 an active AsyncLocalStorage runs promise hooks for every promise of the process
 * (about 40 µs of CPU per GET /users/me), so the storage is switched off again once no scope is
 * running: requests never pay for it while no job runs. Requests need no scope: their lines are
 * written through Fastify's request logger, which carries `requestId` itself.
 */
export const runInLogScope = async <T>(scope: LogScope, fn: () => Promise<T>): Promise<T> => {
  open += 1;
  try {
    return await storage.run(scope, fn);
  } finally {
    open -= 1;
    if (open === 0) storage.disable();
  }
};

/** pino's `mixin`: the current scope's fields on every line, from any logger. */
export const logScopeFields = (): object => {
  const scope = storage.getStore();
  return scope === undefined ? {} : { ...scope.fields };
};

/** A job handler as the job worker calls it. */
type Handler<C> = (payload: unknown, context: C) => Promise<unknown>;

/** Wraps job handlers: the lines a job writes (use cases, mailer…) carry `jobId` and `task`. */
export const inJobLogScope = <C extends { readonly jobId: string; readonly attempt?: number }>(
  tasks: Readonly<Record<string, Handler<C>>>,
): Record<string, Handler<C>> =>
  Object.fromEntries(
    Object.entries(tasks).map(([task, handler]) => [
      task,
      (payload: unknown, context: C) =>
        runInLogScope(
          {
            fields: {
              jobId: context.jobId,
              task,
              ...(context.attempt === undefined ? {} : { attempt: context.attempt }),
            },
          },
          () => handler(payload, context),
        ),
    ]),
  );
