import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, RateLimitedError, ServiceUnavailableError } from '@latchkey/domain';
import { fieldErrors } from '../plugins/validation.js';
import { HttpProblem, problem, type ProblemBody, type ProblemCode } from './problem.js';
import { STATUS } from './status-map.js';

export interface ErrorHandlerOptions {
  /** @returns true when `error` means a dependency (the database) is unreachable or exhausted. */
  readonly isUnavailable: (error: unknown) => boolean;
  /**
   * Called for error tracking with every 500, and with every 503 of an unavailable dependency
   * (not with deliberate load shedding). Must not throw.
   */
  readonly onServerError?: (error: unknown, request: FastifyRequest, status: number) => void;
}

const RETRY_AFTER_UNAVAILABLE = '5';

const FASTIFY_CODES: Readonly<Record<string, [number, ProblemCode]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'validation_failed'],
};

const send = (
  reply: FastifyReply,
  body: ProblemBody,
  headers: Readonly<Record<string, string>> = {},
): FastifyReply =>
  reply.code(body.status).headers(headers).type('application/problem+json').send(body);

const fromDomain = (error: DomainError): [ProblemBody, Record<string, string>] => {
  const status = STATUS[error.code];
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitedError || error instanceof ServiceUnavailableError) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  }
  const errors = 'errors' in error ? (error.errors as ProblemBody['errors']) : undefined;
  return [
    problem(status, error.code, error.message || undefined, errors ? { errors } : {}),
    headers,
  ];
};

const fromFastify = (error: FastifyError): ProblemBody | null => {
  if (error.validation) {
    const errors = fieldErrors(error.validation, error.validationContext ?? 'body');
    return problem(400, 'validation_failed', 'request does not match the schema', { errors });
  }
  const known = FASTIFY_CODES[error.code];
  if (known) return problem(known[0], known[1], error.message);
  const status = error.statusCode ?? 500;
  if (status === 429) return problem(429, 'rate_limited', 'too many requests');
  if (status >= 400 && status < 500) {
    return problem(status, status === 404 ? 'not_found' : 'validation_failed', error.message);
  }
  return null;
};

/** The one place every error becomes the contract's problem+json. 5xx never leak internals. */
export const registerErrorHandler = (app: FastifyInstance, options: ErrorHandlerOptions): void => {
  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof DomainError) {
      const [body, headers] = fromDomain(error);
      return send(reply, body, headers);
    }
    if (error instanceof HttpProblem) {
      const extra = error.errors ? { errors: error.errors } : {};
      return send(reply, problem(error.status, error.code, error.message, extra), error.headers);
    }
    if (options.isUnavailable(error)) {
      request.log.warn({ err: error }, 'dependency unavailable');
      options.onServerError?.(error, request, 503);
      return send(
        reply,
        problem(503, 'service_unavailable', 'a dependency is unavailable, retry later'),
        {
          'retry-after': RETRY_AFTER_UNAVAILABLE,
        },
      );
    }
    const fastifyProblem = fromFastify(error as FastifyError);
    if (fastifyProblem) return send(reply, fastifyProblem);
    request.log.error({ err: error }, 'unhandled error');
    options.onServerError?.(error, request, 500);
    return send(reply, problem(500, 'internal', 'an unexpected error occurred'));
  });

  app.setNotFoundHandler((_request, reply) =>
    send(reply, problem(404, 'not_found', 'no such route')),
  );
};
