import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';

/** What the log lines written inside a scope (one request, one job) carry. */
export interface LogScope {
  /** Added to every line written in the scope: `requestId`, or `jobId` and `task`. */
  readonly fields: Readonly<Record<string, string | number>>;
  /**
   * A logger whose lines already carry `fields` (Fastify's request logger): its lines, and its
   * children's, do not get them a second time.
   */
  readonly owner?: object;
}

const storage = new AsyncLocalStorage<LogScope>();

/** Runs `fn` in `scope`: every log line written by what it calls, however deep, carries its fields. */
export const runInLogScope = <T>(scope: LogScope, fn: () => T): T => storage.run(scope, fn);

/**
 * pino's `mixin`: the current scope's fields on every line, from any logger (the process logger
 * handed to adapters and jobs included), except the scope's owner and its children.
 */
export const logScopeFields = (_merge: object, _level: number, logger: object): object => {
  const scope = storage.getStore();
  if (scope === undefined) return {};
  const { owner } = scope;
  if (
    owner !== undefined &&
    (logger === owner || Object.prototype.isPrototypeOf.call(owner, logger))
  ) {
    return {};
  }
  return { ...scope.fields };
};

/** `buildApp`'s request scope: lines written while serving a request carry its `requestId`. */
export const requestLogScope = (request: FastifyRequest, next: () => void): void => {
  runInLogScope({ fields: { requestId: request.id }, owner: request.log }, next);
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
