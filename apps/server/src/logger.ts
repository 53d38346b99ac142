import { pino, type DestinationStream, type Logger } from 'pino';
import { logScopeFields } from './log-context.js';

/** Keys whose values never reach a log line, at any depth, compared ignoring case. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(
  [
    'authorization',
    'cookie',
    'set-cookie',
    'password',
    'currentPassword',
    'newPassword',
    'passwordHash',
    'password_hash',
    'token',
    'tokenHash',
    'token_hash',
    'accessToken',
    'access_token',
    'refreshToken',
    'refresh_token',
    'idToken',
    'id_token',
    'linkToken',
    'secret',
    'clientSecret',
    'client_secret',
    'privateKey',
    'private_key',
    'keyEncryptionKey',
  ].map((key) => key.toLowerCase()),
);

export const CENSOR = '[redacted]';
const MAX_DEPTH = 6;

const isPlain = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value);
};

/**
 * `value` with the value of every secret key replaced by `[redacted]`, at any depth (plain
 * objects and arrays, copied only where something changes). pino's own `redact` needs a path per
 * location, and its wildcard paths cost tens of microseconds a line; this walk costs next to
 * nothing on the small objects log lines carry.
 */
export const scrubSecrets = (value: unknown, depth = 0): unknown => {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || !isPlain(value)) {
    return value;
  }
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const item = source[key];
    const next = SECRET_KEYS.has(key.toLowerCase()) ? CENSOR : scrubSecrets(item, depth + 1);
    if (next !== item) {
      copy ??= (Array.isArray(value) ? [...(value as unknown[])] : { ...source }) as Record<
        string,
        unknown
      >;
      copy[key] = next;
    }
  }
  return copy ?? value;
};

/** Top-level keys with serializers of their own, which drop or scrub what is secret. */
const SERIALIZED: ReadonlySet<string> = new Set(['req', 'res', 'err']);

/** pino's `formatters.log`: scrubs every key of a line but the serialized ones. */
const scrubLine = (object: Record<string, unknown>): Record<string, unknown> => {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    if (SERIALIZED.has(key)) continue;
    const item = object[key];
    const next = SECRET_KEYS.has(key.toLowerCase()) ? CENSOR : scrubSecrets(item, 1);
    if (next !== item) {
      copy ??= { ...object };
      copy[key] = next;
    }
  }
  return copy ?? object;
};

/** Query parameters whose values are secrets (single-use tokens, OAuth codes and states). */
const SECRET_PARAMS =
  /([?&](?:token|code|state|linkToken|access_token|refresh_token|id_token)=)[^&#]*/gi;

/** A URL fit for a log line: the token of `/verify/{token}` and secret query values blanked. */
export const redactUrl = (url: string): string =>
  url
    .replace(/(\/verify\/)(?!resend(?:[/?#]|$))[^/?#]+/, `$1${CENSOR}`)
    .replace(SECRET_PARAMS, `$1${CENSOR}`);

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The request as logged: no headers (they carry credentials), the URL redacted. */
const req = (request: LoggedRequest) => ({
  method: request.method,
  url: request.url === undefined ? undefined : redactUrl(request.url),
  host: request.host,
  remoteAddress: request.ip,
  remotePort: request.socket?.remotePort,
});

/** Errors as pino serializes them, their own properties (a failed call's config…) scrubbed. */
const err = (error: unknown): unknown => {
  const serialized = pino.stdSerializers.err(error as Error);
  // Not a plain object (pino's error prototype): scrub a plain copy of its own properties.
  return typeof serialized === 'object' ? scrubSecrets({ ...serialized }) : serialized;
};

/**
 * The process logger: JSON lines, secrets redacted wherever they appear, and, inside a request
 * or a job (see log-context.ts), that request's `requestId` or that job's `jobId` on every line.
 */
export const createLogger = (level: string, destination?: DestinationStream): Logger =>
  pino(
    {
      level,
      base: { service: 'latchkey' },
      formatters: { log: scrubLine },
      serializers: { req, err },
      mixin: logScopeFields,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
