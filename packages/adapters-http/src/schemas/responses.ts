/** The media type of every 4xx/5xx body (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** A documented response header: a JSON schema (string) with a description. */
export interface HeaderDoc {
  readonly type: 'string' | 'integer';
  readonly description: string;
}

/** Response headers the contract promises on particular responses. */
export const HEADERS = {
  location: { type: 'string', description: 'Where the created resource lives.' },
  setRefreshCookie: {
    type: 'string',
    description:
      'The `refresh_token` cookie (`HttpOnly; Secure; SameSite=Strict; Path=/api/v1`, ' +
      '`Max-Age` = the remaining absolute session lifetime).',
  },
  clearRefreshCookie: {
    type: 'string',
    description: 'Clears the `refresh_token` cookie (`Max-Age=0`).',
  },
} as const satisfies Record<string, HeaderDoc>;

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Bad request: `validation_failed` (with `errors`), `invalid_json`, or a domain code such as `invalid_token`.',
  401: 'Not authenticated (see `code`): `unauthorized` (no bearer token), `invalid_token`, `invalid_credentials`.',
  403: 'Refused: `forbidden`, `account_suspended` or `invalid_current_password`.',
  404: '`not_found`.',
  409: 'Conflict with the current state (see `code`).',
  413: '`payload_too_large`: the body is over 1 MiB.',
  415: '`unsupported_media_type`: a body that is not `application/json`.',
  429: '`rate_limited`: too many requests; retry after `Retry-After` seconds.',
  500: '`internal`: an unexpected error (never with internal details).',
  503: '`service_unavailable`: the database is unreachable or saturated; retry after `Retry-After` seconds.',
};

/** A problem response for `status`, with optional extra headers and its own description. */
export const problemResponse = (
  status: number,
  headers?: Readonly<Record<string, HeaderDoc>>,
  description?: string,
) => ({
  description: description ?? DESCRIPTIONS[status] ?? `Problem (${String(status)})`,
  ...(headers === undefined ? {} : { headers }),
  content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: 'Problem#' } } },
});

/** Problem responses for the statuses a route can answer with. */
export const problems = (...statuses: number[]): Record<number, unknown> =>
  Object.fromEntries(statuses.map((status) => [status, problemResponse(status)]));

/** `schema` documented with response headers (`@fastify/swagger` reads `headers`). */
export const withHeaders = <T extends object>(
  schema: T,
  headers: Readonly<Record<string, HeaderDoc>>,
): T & { headers: Readonly<Record<string, HeaderDoc>> } => ({ ...schema, headers });
