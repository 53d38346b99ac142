import { Type, type Static, type TSchema } from 'typebox';

/** Deployment profiles; each has its own defaults (see `PROFILE_DEFAULTS`). */
export const APP_ENVS = ['development', 'test', 'staging', 'production'] as const;
export type AppEnv = (typeof APP_ENVS)[number];

/** pino levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Extra keywords (TypeBox keeps unknown options on the schema): the loader reads `x-expected`,
// which completes "must be …" in error messages, and `x-secret`, which keeps the value out of
// them. `description` and `x-unset` (what an unset optional setting means) are the README's
// settings table (`pnpm settings`, scripts/generate-settings-table.ts).
interface Extra {
  description: string;
  'x-expected'?: string;
  'x-secret'?: true;
  'x-unset'?: string;
}

const int = (minimum: number, maximum: number | undefined, extra: Extra) =>
  Type.Integer(maximum === undefined ? { minimum, ...extra } : { minimum, maximum, ...extra });
const bool = (extra: Extra) => Type.Boolean({ 'x-expected': 'true, false, 1 or 0', ...extra });
const text = (extra: Extra) => Type.String({ minLength: 1, ...extra });
const url = (schemes: string, extra: Extra) =>
  Type.String({
    pattern: `^(${schemes})://[^\\s]+$`,
    'x-expected': `a ${schemes.split('|').join(' or ')} URL`,
    ...extra,
  });
const HTTP_ORIGIN = '^https?://[^/\\s?#]+/?$';
const origins = (allowStar: boolean, extra: Extra) =>
  Type.Array(Type.String({ pattern: allowStar ? `${HTTP_ORIGIN}|^\\*$` : HTTP_ORIGIN }), {
    'x-expected': `a comma-separated list of origins like https://app.example.com${allowStar ? ' (or *)' : ''}`,
    ...extra,
  });
const secret = (extra: Omit<Extra, 'x-secret'>) =>
  Type.Optional(text({ ...extra, 'x-secret': true }));

/**
 * Every setting, keyed by its environment variable name (the same keys are used in `CONFIG_FILE`).
 * Values are already converted from strings (see `load-config.ts`); validated once, as a whole.
 */
export const ConfigSchema = Type.Object(
  {
    APP_ENV: Type.Enum([...APP_ENVS], {
      description: 'deployment profile; production refuses insecure settings',
    }),
    HOST: text({ description: 'listen address' }),
    PORT: int(1, 65535, { description: 'listen port' }),
    PUBLIC_URL: url('http|https', { description: 'base of links in emails' }),
    DATABASE_URL: Type.Optional(
      url('postgres|postgresql', {
        description: 'PostgreSQL connection',
        'x-unset': 'embedded PostgreSQL under `DATA_DIR`',
        'x-secret': true,
      }),
    ),
    DATA_DIR: text({ description: 'embedded database and generated development keys' }),
    REDIS_URL: Type.Optional(
      url('redis|rediss', {
        description: 'Redis connection (shared rate limits and caches)',
        'x-unset': 'in-process rate limits and caches',
        'x-secret': true,
      }),
    ),
    SMTP_URL: Type.Optional(
      url('smtp|smtps', {
        description: 'SMTP delivery',
        'x-unset': 'mails are logged as JSON lines',
        'x-secret': true,
      }),
    ),
    MAIL_FROM: text({ description: 'sender of mails' }),
    KEY_ENCRYPTION_KEY: secret({
      description: '32-byte base64 key that encrypts the signing keys stored in the database',
      'x-unset': 'generated and kept in `DATA_DIR`',
      'x-expected': '32 bytes encoded as base64 (e.g. `openssl rand -base64 32`)',
    }),
    JWT_ISSUER: text({ description: 'access token `iss` claim' }),
    JWT_AUDIENCE: text({ description: 'access token `aud` claim' }),
    ACCESS_TOKEN_TTL: int(1, undefined, { description: 'access token lifetime, seconds' }),
    REFRESH_TOKEN_TTL: int(1, undefined, { description: 'absolute session lifetime, seconds' }),
    REFRESH_REUSE_GRACE: int(0, undefined, {
      description: 'seconds a rotated refresh token still gets a fresh pair',
    }),
    CORS_ORIGINS: origins(true, { description: 'comma-separated allowed origins' }),
    RATE_LIMIT_MAX: int(1, undefined, { description: 'requests per window per IP' }),
    RATE_LIMIT_AUTH_MAX: int(1, undefined, {
      description: 'requests per window per IP on each sensitive auth route',
    }),
    RATE_LIMIT_WINDOW: int(1, undefined, { description: 'rate limit window, seconds' }),
    TRUST_PROXY: Type.Union(
      [
        Type.Boolean(),
        Type.Integer({ minimum: 0 }),
        Type.Array(
          Type.String({
            pattern: '^([0-9a-fA-F:.]+(/[0-9]{1,3})?|loopback|linklocal|uniquelocal)$',
          }),
        ),
      ],
      {
        description:
          'which `X-Forwarded-For` hops to trust: true (all), a hop count, or comma-separated proxy addresses/CIDRs',
        'x-expected': 'true, false, a hop count, or comma-separated IP addresses/CIDRs',
      },
    ),
    OAUTH_GOOGLE_CLIENT_ID: Type.Optional(text({ description: 'Google sign-in client id' })),
    OAUTH_GOOGLE_CLIENT_SECRET: secret({ description: 'Google sign-in client secret' }),
    OAUTH_GOOGLE_ISSUER: url('https|http', { description: 'Google OpenID issuer' }),
    OAUTH_GITHUB_CLIENT_ID: Type.Optional(text({ description: 'GitHub sign-in client id' })),
    OAUTH_GITHUB_CLIENT_SECRET: secret({ description: 'GitHub sign-in client secret' }),
    OAUTH_GITHUB_URL: url('https|http', { description: 'GitHub web base URL' }),
    OAUTH_GITHUB_API_URL: url('https|http', { description: 'GitHub API base URL' }),
    OAUTH_OIDC_ISSUER: Type.Optional(
      url('https|http', { description: 'any OpenID Connect issuer (discovery)' }),
    ),
    OAUTH_OIDC_CLIENT_ID: Type.Optional(text({ description: 'OpenID Connect client id' })),
    OAUTH_OIDC_CLIENT_SECRET: secret({ description: 'OpenID Connect client secret' }),
    OAUTH_REDIRECT_ORIGINS: origins(false, {
      description: 'extra origins allowed in `redirectTo`',
    }),
    LOCKOUT_THRESHOLD: int(1, undefined, {
      description: 'failed logins per email before throttling',
    }),
    LOCKOUT_WINDOW: int(1, undefined, { description: 'failed login window, seconds' }),
    DELETED_RETENTION_DAYS: int(0, undefined, {
      description: 'soft-deleted accounts are anonymised after this many days',
    }),
    MIGRATE_ON_START: bool({ description: 'migrate to latest when the server starts' }),
    METRICS_ENABLED: bool({
      description: 'serve `/metrics` and time every request (false: neither, e.g. for a benchmark)',
    }),
    METRICS_TOKEN: secret({
      description: 'when set, `/metrics` needs `Authorization: Bearer <token>`',
      'x-unset': '`/metrics` needs no token',
    }),
    SENTRY_DSN: Type.Optional(
      url('https|http', {
        description: 'Sentry DSN: error tracking',
        'x-secret': true,
        'x-unset': 'no error tracking',
      }),
    ),
    LOG_LEVEL: Type.Enum([...LOG_LEVELS], { description: 'pino level' }),
    DB_POOL_MAX: int(1, 1000, { description: 'PostgreSQL pool size per process' }),
    DB_CONNECT_TIMEOUT_MS: int(1, undefined, {
      description: 'wait for a pool connection before failing (503), ms',
    }),
    DB_STATEMENT_TIMEOUT_MS: int(0, undefined, {
      description: 'PostgreSQL `statement_timeout`, ms (0: none)',
    }),
    DB_PREPARED_STATEMENTS: bool({
      description:
        "run the hot statements (the user reads, a login's writes) as named prepared statements (false behind PgBouncer in transaction mode before 1.21)",
    }),
    ARGON2_MEMORY_KIB: int(8, undefined, {
      description:
        'argon2id memory cost, KiB (a hash made with other argon2id parameters is redone at its next login)',
    }),
    ARGON2_TIME_COST: int(1, undefined, { description: 'argon2id iterations' }),
    ARGON2_PARALLELISM: int(1, 255, { description: 'argon2id lanes' }),
    HASH_CONCURRENCY: int(1, 1024, { description: 'password hashes computed at once' }),
    HASH_QUEUE_MAX: int(0, undefined, {
      description: 'hashes waiting for a slot before requests get 503',
    }),
    SHUTDOWN_TIMEOUT_MS: int(0, undefined, { description: 'graceful shutdown deadline, ms' }),
    RESET_TOKEN_TTL: int(1, undefined, { description: 'password reset token lifetime, seconds' }),
    VERIFY_TOKEN_TTL: int(1, undefined, {
      description: 'email verification token lifetime, seconds',
    }),
    WORKER_ENABLED: bool({ description: 'run the background job worker in this process' }),
  },
  { additionalProperties: false },
);

/** Settings as validated, keyed by environment variable name. */
export type Settings = Static<typeof ConfigSchema>;
export type SettingName = keyof Settings;

/** Every setting name, in schema (documentation) order. */
export const SETTING_NAMES = Object.keys(ConfigSchema.properties) as SettingName[];

/** The schema of one setting. */
export const settingSchema = (name: SettingName): TSchema & Record<string, unknown> =>
  ConfigSchema.properties[name] as unknown as TSchema & Record<string, unknown>;
