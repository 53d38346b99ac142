import type { AppEnv, Settings } from './config-schema.js';

/** A default for one setting, in its converted type. */
export type DefaultValue = string | number | boolean | readonly string[];
export type ProfileDefaults = Readonly<Partial<Record<keyof Settings, DefaultValue>>>;

/** The `development` profile: the defaults documented in the contract. Unset settings stay unset. */
export const BASE_DEFAULTS = {
  APP_ENV: 'development',
  HOST: '127.0.0.1',
  PORT: 3000,
  PUBLIC_URL: 'http://localhost:3000',
  DATA_DIR: '.data',
  MAIL_FROM: 'Latchkey <no-reply@localhost>',
  JWT_ISSUER: 'latchkey',
  JWT_AUDIENCE: 'latchkey',
  ACCESS_TOKEN_TTL: 900,
  REFRESH_TOKEN_TTL: 2_592_000,
  REFRESH_REUSE_GRACE: 10,
  CORS_ORIGINS: [],
  RATE_LIMIT_MAX: 100,
  RATE_LIMIT_AUTH_MAX: 5,
  RATE_LIMIT_WINDOW: 60,
  TRUST_PROXY: false,
  OAUTH_GOOGLE_ISSUER: 'https://accounts.google.com',
  OAUTH_GITHUB_URL: 'https://github.com',
  OAUTH_GITHUB_API_URL: 'https://api.github.com',
  OAUTH_REDIRECT_ORIGINS: [],
  LOCKOUT_THRESHOLD: 10,
  LOCKOUT_WINDOW: 900,
  DELETED_RETENTION_DAYS: 30,
  MIGRATE_ON_START: true,
  LOG_LEVEL: 'info',
  METRICS_ENABLED: true,
  // pg has no "keep N idle": idle connections close after 10 s and every connection is
  // replaced after 300 s (see createPool), so the pool shrinks to what the load needs.
  DB_POOL_MAX: 25,
  DB_CONNECT_TIMEOUT_MS: 5000,
  DB_STATEMENT_TIMEOUT_MS: 10_000,
  DB_PREPARED_STATEMENTS: true,
  // OWASP's argon2id baseline: m=19 MiB, t=2, p=1.
  ARGON2_MEMORY_KIB: 19_456,
  ARGON2_TIME_COST: 2,
  ARGON2_PARALLELISM: 1,
  HASH_CONCURRENCY: 4,
  HASH_QUEUE_MAX: 64,
  SHUTDOWN_TIMEOUT_MS: 10_000,
  RESET_TOKEN_TTL: 1800,
  VERIFY_TOKEN_TTL: 86_400,
  WORKER_ENABLED: true,
} as const satisfies ProfileDefaults;

/** What each profile changes from `BASE_DEFAULTS`. */
export const PROFILE_OVERRIDES: Readonly<Record<AppEnv, ProfileDefaults>> = {
  development: {},
  // Cheap hashing and a separate data directory keep test runs fast and isolated.
  test: {
    APP_ENV: 'test',
    DATA_DIR: '.data/test',
    LOG_LEVEL: 'silent',
    ARGON2_MEMORY_KIB: 4096,
    ARGON2_TIME_COST: 1,
  },
  // Containers listen on every interface; a reverse proxy or load balancer sits in front.
  staging: { APP_ENV: 'staging', HOST: '0.0.0.0' },
  production: { APP_ENV: 'production', HOST: '0.0.0.0' },
};

/** The full defaults table, one row set per profile (data for the docs generator). */
export const PROFILE_DEFAULTS: Readonly<Record<AppEnv, ProfileDefaults>> = {
  development: { ...BASE_DEFAULTS, ...PROFILE_OVERRIDES.development },
  test: { ...BASE_DEFAULTS, ...PROFILE_OVERRIDES.test },
  staging: { ...BASE_DEFAULTS, ...PROFILE_OVERRIDES.staging },
  production: { ...BASE_DEFAULTS, ...PROFILE_OVERRIDES.production },
};
