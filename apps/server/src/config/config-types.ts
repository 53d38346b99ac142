import path from 'node:path';
import type { AppEnv, LogLevel, Settings } from './config-schema.js';

/** A setting was missing, malformed or refused; the message names each variable and the problem. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  /** One entry per problem, e.g. `PORT: must be an integer between 1 and 65535 (got "abc")`. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super(issues.join('; '), options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** OAuth client of a provider; a provider is configured only when its id and secret both are. */
export interface GoogleOAuthConfig {
  clientId: string;
  clientSecret: string;
  issuer: string;
}
export interface GithubOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Web base, e.g. https://github.com */
  url: string;
  /** API base, e.g. https://api.github.com */
  apiUrl: string;
}
export interface OidcOAuthConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** The validated configuration of one process. Durations are seconds unless the name says Ms. */
export interface Config {
  appEnv: AppEnv;
  host: string;
  port: number;
  /** Base of links in mails, without a trailing slash. */
  publicUrl: string;
  /** Unset: use the embedded PostgreSQL under `dataDir`. */
  databaseUrl?: string;
  /** Absolute path. */
  dataDir: string;
  redisUrl?: string;
  smtpUrl?: string;
  mailFrom: string;
  /** Base64 of 32 bytes; unset outside production (see `resolveKeyEncryptionKey`). */
  keyEncryptionKey?: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  refreshReuseGrace: number;
  /** Origins without trailing slashes; may contain `*` outside production. */
  corsOrigins: string[];
  rateLimitMax: number;
  rateLimitAuthMax: number;
  rateLimitWindow: number;
  /** `false`, `true`, a hop count, or IP addresses/CIDRs of trusted proxies. */
  trustProxy: boolean | number | string[];
  oauth: { google?: GoogleOAuthConfig; github?: GithubOAuthConfig; oidc?: OidcOAuthConfig };
  oauthRedirectOrigins: string[];
  lockoutThreshold: number;
  lockoutWindow: number;
  deletedRetentionDays: number;
  migrateOnStart: boolean;
  /** Serve `/metrics` and time every request. */
  metricsEnabled: boolean;
  metricsToken?: string;
  sentryDsn?: string;
  logLevel: LogLevel;
  /** Pool: `poolMax` connections; idle ones close after 10 s, every one is replaced after 300 s. */
  db: {
    poolMax: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    /** Hot statements as named statements, planned once per connection (see `prepared`). */
    preparedStatements: boolean;
  };
  argon2: { memoryKib: number; timeCost: number; parallelism: number };
  hashConcurrency: number;
  hashQueueMax: number;
  shutdownTimeoutMs: number;
  resetTokenTtl: number;
  verifyTokenTtl: number;
  workerEnabled: boolean;
}

const stripSlash = (value: string): string => value.replace(/\/+$/, '');

/** Maps validated settings to the camelCase `Config` (pure; the settings are already checked). */
export function toConfig(s: Settings, cwd: string = process.cwd()): Config {
  const config: Config = {
    appEnv: s.APP_ENV,
    host: s.HOST,
    port: s.PORT,
    publicUrl: stripSlash(s.PUBLIC_URL),
    dataDir: path.resolve(cwd, s.DATA_DIR),
    mailFrom: s.MAIL_FROM,
    jwtIssuer: s.JWT_ISSUER,
    jwtAudience: s.JWT_AUDIENCE,
    accessTokenTtl: s.ACCESS_TOKEN_TTL,
    refreshTokenTtl: s.REFRESH_TOKEN_TTL,
    refreshReuseGrace: s.REFRESH_REUSE_GRACE,
    corsOrigins: s.CORS_ORIGINS.map(stripSlash),
    rateLimitMax: s.RATE_LIMIT_MAX,
    rateLimitAuthMax: s.RATE_LIMIT_AUTH_MAX,
    rateLimitWindow: s.RATE_LIMIT_WINDOW,
    trustProxy: Array.isArray(s.TRUST_PROXY) ? [...s.TRUST_PROXY] : s.TRUST_PROXY,
    oauth: oauthOf(s),
    oauthRedirectOrigins: s.OAUTH_REDIRECT_ORIGINS.map(stripSlash),
    lockoutThreshold: s.LOCKOUT_THRESHOLD,
    lockoutWindow: s.LOCKOUT_WINDOW,
    deletedRetentionDays: s.DELETED_RETENTION_DAYS,
    migrateOnStart: s.MIGRATE_ON_START,
    logLevel: s.LOG_LEVEL,
    metricsEnabled: s.METRICS_ENABLED,
    db: {
      poolMax: s.DB_POOL_MAX,
      connectTimeoutMs: s.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: s.DB_STATEMENT_TIMEOUT_MS,
      preparedStatements: s.DB_PREPARED_STATEMENTS,
    },
    argon2: {
      memoryKib: s.ARGON2_MEMORY_KIB,
      timeCost: s.ARGON2_TIME_COST,
      parallelism: s.ARGON2_PARALLELISM,
    },
    hashConcurrency: s.HASH_CONCURRENCY,
    hashQueueMax: s.HASH_QUEUE_MAX,
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    resetTokenTtl: s.RESET_TOKEN_TTL,
    verifyTokenTtl: s.VERIFY_TOKEN_TTL,
    workerEnabled: s.WORKER_ENABLED,
  };
  // Optional settings are absent, not `undefined`, when unset.
  const optional = {
    databaseUrl: s.DATABASE_URL,
    redisUrl: s.REDIS_URL,
    smtpUrl: s.SMTP_URL,
    keyEncryptionKey: s.KEY_ENCRYPTION_KEY,
    metricsToken: s.METRICS_TOKEN,
    sentryDsn: s.SENTRY_DSN,
  } as const;
  for (const [key, value] of Object.entries(optional) as [
    keyof typeof optional,
    string | undefined,
  ][]) {
    if (value !== undefined) config[key] = value;
  }
  return config;
}

function oauthOf(s: Settings): Config['oauth'] {
  const oauth: Config['oauth'] = {};
  if (s.OAUTH_GOOGLE_CLIENT_ID !== undefined && s.OAUTH_GOOGLE_CLIENT_SECRET !== undefined) {
    oauth.google = {
      clientId: s.OAUTH_GOOGLE_CLIENT_ID,
      clientSecret: s.OAUTH_GOOGLE_CLIENT_SECRET,
      issuer: stripSlash(s.OAUTH_GOOGLE_ISSUER),
    };
  }
  if (s.OAUTH_GITHUB_CLIENT_ID !== undefined && s.OAUTH_GITHUB_CLIENT_SECRET !== undefined) {
    oauth.github = {
      clientId: s.OAUTH_GITHUB_CLIENT_ID,
      clientSecret: s.OAUTH_GITHUB_CLIENT_SECRET,
      url: stripSlash(s.OAUTH_GITHUB_URL),
      apiUrl: stripSlash(s.OAUTH_GITHUB_API_URL),
    };
  }
  if (
    s.OAUTH_OIDC_ISSUER !== undefined &&
    s.OAUTH_OIDC_CLIENT_ID !== undefined &&
    s.OAUTH_OIDC_CLIENT_SECRET !== undefined
  ) {
    oauth.oidc = {
      issuer: stripSlash(s.OAUTH_OIDC_ISSUER),
      clientId: s.OAUTH_OIDC_CLIENT_ID,
      clientSecret: s.OAUTH_OIDC_CLIENT_SECRET,
    };
  }
  return oauth;
}
