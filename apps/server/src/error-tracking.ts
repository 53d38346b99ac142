import * as Sentry from '@sentry/node';
import type { Breadcrumb, ErrorEvent } from '@sentry/node';
import type { FastifyRequest } from 'fastify';
import { redactUrl } from './logger.js';

/** Error tracking as the server uses it (Sentry when `SENTRY_DSN` is set). */
export interface ErrorTracking {
  /** `buildApp`'s `onServerError`: reports a 5xx with its request id, route and user id. */
  readonly onServerError: (error: unknown, request: FastifyRequest, status: number) => void;
  /** Sends what is queued; false when `timeoutMs` passed first. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes, then stops tracking. */
  close(timeoutMs?: number): Promise<boolean>;
}

export interface ErrorTrackingOptions {
  readonly dsn: string;
  /** `APP_ENV`. */
  readonly environment: string;
  readonly release?: string;
}

const EMAIL = /[^\s@"'<>()]+@[^\s@"'<>()]+\.[^\s@"'<>()]+/g;
const JWT = /\beyJ[\w-]*\.[\w-]*\.[\w-]*/g;
// Opaque tokens (refresh, reset, verification: 43 base64url chars) and token hashes (64 hex);
// UUIDs (36 chars) stay readable.
const OPAQUE = /(?<![\w-])[\w-]{40,}(?![\w-])/g;

/** Blanks emails, JWTs and opaque tokens in a message. */
export const scrubText = (text: string): string =>
  text.replace(JWT, '[token]').replace(EMAIL, '[email]').replace(OPAQUE, '[token]');

/**
 * The last pass over every event before it leaves the process: the user is reduced to its id,
 * the request to its method and redacted URL (no headers, cookies, body or query string), and
 * messages are scrubbed of emails and tokens.
 */
export const scrubEvent = (event: ErrorEvent): ErrorEvent => {
  if (event.user) event.user = event.user.id === undefined ? {} : { id: event.user.id };
  if (event.request) {
    const { method, url } = event.request;
    event.request = {
      ...(method === undefined ? {} : { method }),
      ...(url === undefined ? {} : { url: redactUrl(url).replace(/\?.*$/, '') }),
    };
  }
  if (event.message) event.message = scrubText(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
  }
  if (event.breadcrumbs)
    event.breadcrumbs = event.breadcrumbs.flatMap((b) => scrubBreadcrumb(b) ?? []);
  return event;
};

/** Keeps HTTP breadcrumbs (URL redacted, no query); drops console ones (log lines go to pino). */
export const scrubBreadcrumb = (breadcrumb: Breadcrumb): Breadcrumb | null => {
  if (breadcrumb.category === 'console') return null;
  const data: Record<string, unknown> | undefined = breadcrumb.data;
  if (data !== undefined && typeof data.url === 'string') {
    breadcrumb.data = { ...data, url: redactUrl(data.url).replace(/\?.*$/, '') };
  }
  if (breadcrumb.message) breadcrumb.message = scrubText(breadcrumb.message);
  return breadcrumb;
};

/** `DatabaseError`, `TypeError`…: the class, since some libraries name every error `error`. */
const errorTypeOf = (error: unknown): string => {
  if (!(error instanceof Error)) return typeof error;
  const type = error.constructor.name;
  return type === '' || type === 'Error' ? error.name : type;
};

/**
 * Default integrations left out: framework auto-capture (it would report our errors a second
 * time, without request id, route or user), and those that collect request data, console
 * output or local variables (passwords and tokens live there).
 */
const LEFT_OUT = new Set([
  'Fastify',
  'Express',
  'Hapi',
  'Hono',
  'Koa',
  'Nitro',
  'AwsLambdaWeb',
  'RequestData',
  'Console',
  'LocalVariables',
  'LocalVariablesAsync',
]);

/**
 * Starts Sentry for this process: unhandled exceptions and rejections (its default
 * integrations), and every 5xx the error handler reports, tagged with `request_id`, `route`
 * (the template, never the raw URL) and the user id, grouped by route and error type. No
 * email, token or header is sent (`dataCollection` off, and `scrubEvent`).
 */
export const initErrorTracking = (options: ErrorTrackingOptions): ErrorTracking => {
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    ...(options.release === undefined ? {} : { release: options.release }),
    // Nothing about the user or the request is collected automatically: what an event carries
    // is set in onServerError (request id, route, user id).
    dataCollection: {
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
    },
    integrations: (defaults) => defaults.filter((integration) => !LEFT_OUT.has(integration.name)),
    beforeSend: scrubEvent,
    beforeBreadcrumb: scrubBreadcrumb,
  });
  return {
    onServerError(error, request, status) {
      const route = `${request.method} ${request.routeOptions.url ?? 'unmatched'}`;
      Sentry.withScope((scope) => {
        scope.setLevel(status === 503 ? 'warning' : 'error');
        scope.setTags({ route, request_id: request.id, status_code: String(status) });
        if (request.principal) scope.setUser({ id: request.principal.userId });
        scope.setFingerprint([route, errorTypeOf(error)]);
        Sentry.captureException(error);
      });
    },
    flush: (timeoutMs = 2000) => Sentry.flush(timeoutMs),
    close: (timeoutMs = 2000) => Sentry.close(timeoutMs),
  };
};
