import type { DomainErrorCode, FieldError } from '@latchkey/domain';

/** Codes the HTTP layer itself produces (transport failures, not domain errors). */
export type TransportErrorCode =
  | 'unauthorized'
  | 'invalid_token'
  | 'invalid_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'validation_failed'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal';

export type ProblemCode = DomainErrorCode | TransportErrorCode;

/** RFC 9457 problem details, with the contract's stable `code`. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: ProblemCode;
  errors?: FieldError[];
}

const TITLES: Partial<Record<ProblemCode, string>> = {
  validation_failed: 'Validation failed',
  invalid_json: 'Malformed JSON',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  unauthorized: 'Authentication required',
  invalid_token: 'Invalid token',
  invalid_credentials: 'Invalid credentials',
  not_found: 'Not found',
  rate_limited: 'Too many requests',
  service_unavailable: 'Service unavailable',
  internal: 'Internal server error',
};

export const problemType = (code: ProblemCode): string => `urn:latchkey:problem:${code}`;

const titleOf = (code: ProblemCode): string =>
  TITLES[code] ?? code.charAt(0).toUpperCase() + code.slice(1).replaceAll('_', ' ');

/** Builds a problem body. */
export const problem = (
  status: number,
  code: ProblemCode,
  detail?: string,
  extra: { instance?: string; errors?: FieldError[] } = {},
): ProblemBody => ({
  type: problemType(code),
  title: titleOf(code),
  status,
  ...(detail === undefined ? {} : { detail }),
  ...extra,
  code,
});

/**
 * A transport failure detected by a plugin (bad bearer, bad body): carries its own status,
 * code and headers, so the error handler renders it without knowing the plugin.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}
