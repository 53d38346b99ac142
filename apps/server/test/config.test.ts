import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import {
  APP_ENVS,
  BASE_DEFAULTS,
  ConfigError,
  loadConfig,
  PROFILE_DEFAULTS,
  resolveKeyEncryptionKey,
  SETTING_NAMES,
} from '../src/config/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-config-'));
t.teardown(() =>
  import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true })),
);
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const load = (env: NodeJS.ProcessEnv) => loadConfig(env, dir);
const KEY = Buffer.alloc(32, 7).toString('base64');
const PRODUCTION = {
  APP_ENV: 'production',
  DATABASE_URL: 'postgres://u:p@db/latchkey',
  KEY_ENCRYPTION_KEY: KEY,
  PUBLIC_URL: 'https://auth.example.com',
  SMTP_URL: 'smtp://mail.example.com:587',
};

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

t.test('defaults are the contract table (development profile)', async (t) => {
  const c = load({});
  t.match(c, {
    appEnv: 'development',
    host: '127.0.0.1',
    port: 3000,
    publicUrl: 'http://localhost:3000',
    dataDir: path.join(dir, '.data'),
    jwtIssuer: 'latchkey',
    jwtAudience: 'latchkey',
    accessTokenTtl: 900,
    refreshTokenTtl: 2592000,
    refreshReuseGrace: 10,
    corsOrigins: [],
    rateLimitMax: 100,
    rateLimitAuthMax: 5,
    rateLimitWindow: 60,
    trustProxy: false,
    oauth: {},
    oauthRedirectOrigins: [],
    lockoutThreshold: 10,
    lockoutWindow: 900,
    deletedRetentionDays: 30,
    migrateOnStart: true,
    logLevel: 'info',
    db: {
      poolMax: 25,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 10000,
      preparedStatements: true,
    },
    argon2: { memoryKib: 19456, timeCost: 2, parallelism: 1 },
    hashConcurrency: 4,
    hashQueueMax: 64,
    shutdownTimeoutMs: 10000,
    resetTokenTtl: 1800,
    verifyTokenTtl: 86400,
    workerEnabled: true,
  });
  for (const unset of [
    'databaseUrl',
    'redisUrl',
    'smtpUrl',
    'keyEncryptionKey',
    'metricsToken',
    'sentryDsn',
  ] as const) {
    t.equal(c[unset], undefined, `${unset} is unset`);
  }
});

t.test('profiles', async (t) => {
  t.same(Object.keys(PROFILE_DEFAULTS).sort(), [...APP_ENVS].sort());
  t.same(PROFILE_DEFAULTS.development, BASE_DEFAULTS);
  for (const profile of APP_ENVS) {
    for (const name of Object.keys(PROFILE_DEFAULTS[profile]))
      t.ok(SETTING_NAMES.includes(name as never), `${profile}.${name} is a setting`);
  }
  t.match(load({ APP_ENV: 'test' }), {
    appEnv: 'test',
    logLevel: 'silent',
    dataDir: path.join(dir, '.data/test'),
  });
  t.match(load({ APP_ENV: 'staging' }), { appEnv: 'staging', host: '0.0.0.0' });
  t.match(load(PRODUCTION), { appEnv: 'production', host: '0.0.0.0' });
  t.equal(
    messageOf(() => load({ APP_ENV: 'prod' })),
    'APP_ENV: must be one of development, test, staging, production (got "prod")',
  );
  t.equal(
    load({ CONFIG_FILE: file('env.yaml', 'APP_ENV: test\n') }).appEnv,
    'test',
    'the profile may come from the file',
  );
});

t.test('CONFIG_FILE: JSON and YAML, environment wins, unknown keys refused', async (t) => {
  const json = file(
    'c.json',
    JSON.stringify({
      PORT: 4000,
      CORS_ORIGINS: ['https://a.example/'],
      MIGRATE_ON_START: false,
      REDIS_URL: null,
    }),
  );
  t.match(load({ CONFIG_FILE: json }), {
    port: 4000,
    corsOrigins: ['https://a.example'],
    migrateOnStart: false,
    redisUrl: undefined,
  });
  const yaml = file(
    'c.yaml',
    'PORT: "4001"\nTRUST_PROXY:\n  - 10.0.0.0/8\nRATE_LIMIT_MAX: 7\nLOG_LEVEL: debug\n',
  );
  t.match(load({ CONFIG_FILE: yaml }), {
    port: 4001,
    trustProxy: ['10.0.0.0/8'],
    rateLimitMax: 7,
    logLevel: 'debug',
  });
  t.equal(load({ CONFIG_FILE: yaml, PORT: '5000' }).port, 5000, 'environment beats the file');
  t.equal(load({ CONFIG_FILE: yaml, PORT: '' }).port, 4001, 'an empty variable counts as unset');
  t.equal(
    messageOf(() => load({ CONFIG_FILE: file('u.yaml', 'PORT: 1\nPROT: 2\nCONFIG_FILE: x\n') })),
    'CONFIG_FILE: unknown settings PROT, CONFIG_FILE in ' + path.join(dir, 'u.yaml'),
  );
  t.match(
    messageOf(() => load({ CONFIG_FILE: file('bad.json', '{"PORT": ') })),
    /^CONFIG_FILE: cannot parse .*bad\.json/,
  );
  t.match(
    messageOf(() => load({ CONFIG_FILE: path.join(dir, 'missing.yaml') })),
    /^CONFIG_FILE: cannot read .*missing\.yaml \(ENOENT\)/,
  );
  t.match(
    messageOf(() => load({ CONFIG_FILE: file('list.yaml', '- 1\n') })),
    /must hold a mapping/,
  );
  t.equal(
    messageOf(() => load({ CONFIG_FILE: file('p.yaml', 'PORT: 3.5\n') })),
    `PORT: must be an integer between 1 and 65535 (got 3.5 from ${path.join(dir, 'p.yaml')})`,
  );
});

t.test('<NAME>_FILE reads secrets, minus one trailing newline, and wins', async (t) => {
  const token = file('token', 'from-file\n');
  const c = load({
    METRICS_TOKEN: 'from-env',
    METRICS_TOKEN_FILE: token,
    DATABASE_URL_FILE: file('db', 'postgres://a:b@h/d\r\n'),
  });
  t.equal(c.metricsToken, 'from-file');
  t.equal(c.databaseUrl, 'postgres://a:b@h/d');
  t.equal(
    load({ METRICS_TOKEN_FILE: file('two', 'x\n\n') }).metricsToken,
    'x\n',
    'only one newline is removed',
  );
  t.equal(
    messageOf(() => load({ METRICS_TOKEN_FILE: path.join(dir, 'nope') })),
    `METRICS_TOKEN_FILE: cannot read ${path.join(dir, 'nope')} (ENOENT)`,
  );
});

t.test('conversions and messages name the variable', async (t) => {
  t.equal(
    messageOf(() => load({ PORT: 'abc' })),
    'PORT: must be an integer between 1 and 65535 (got "abc")',
  );
  t.equal(
    messageOf(() => load({ PORT: '70000' })),
    'PORT: must be an integer between 1 and 65535 (got "70000")',
  );
  t.equal(
    messageOf(() => load({ PORT: '30.5' })),
    'PORT: must be an integer between 1 and 65535 (got "30.5")',
  );
  t.equal(
    messageOf(() => load({ MIGRATE_ON_START: 'yes' })),
    'MIGRATE_ON_START: must be true, false, 1 or 0 (got "yes")',
  );
  t.equal(
    messageOf(() => load({ LOG_LEVEL: 'loud' })),
    'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
  );
  const both = messageOf(() => load({ PORT: 'x', RATE_LIMIT_MAX: '0' }));
  t.match(
    both,
    /^PORT: .*; RATE_LIMIT_MAX: must be an integer of at least 1 \(got "0"\)$/,
    'every problem is listed',
  );
  t.equal(load({ MIGRATE_ON_START: '0', WORKER_ENABLED: 'FALSE' }).migrateOnStart, false);
  t.equal(load({ MIGRATE_ON_START: '1' }).migrateOnStart, true);
  t.equal(load({ DB_PREPARED_STATEMENTS: 'false' }).db.preparedStatements, false);
  t.equal(load({ TRUST_PROXY: 'true' }).trustProxy, true);
  t.equal(load({ TRUST_PROXY: '2' }).trustProxy, 2);
  t.same(load({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1']);
  t.match(
    messageOf(() => load({ TRUST_PROXY: 'everyone' })),
    /^TRUST_PROXY: must be true, false, a hop count/,
  );
  t.same(load({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).corsOrigins, [
    'https://a.example',
    'http://localhost:5173',
  ]);
  t.equal(load({ PUBLIC_URL: 'https://auth.example.com/' }).publicUrl, 'https://auth.example.com');
  const secret = messageOf(() => load({ DATABASE_URL: 'mysql://root:hunter2@db/x' }));
  t.equal(secret, 'DATABASE_URL: must be a postgres or postgresql URL', 'secrets are not echoed');
});

t.test('KEY_ENCRYPTION_KEY and OAuth pairs', async (t) => {
  t.equal(load({ KEY_ENCRYPTION_KEY: KEY }).keyEncryptionKey, KEY);
  t.match(
    messageOf(() => load({ KEY_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })),
    /^KEY_ENCRYPTION_KEY: must be 32 bytes encoded as base64/,
  );
  t.notMatch(
    messageOf(() => load({ KEY_ENCRYPTION_KEY: 'not base64!' })),
    /not base64/,
  );
  t.same(load({ OAUTH_GOOGLE_CLIENT_ID: 'id', OAUTH_GOOGLE_CLIENT_SECRET: 's' }).oauth, {
    google: { clientId: 'id', clientSecret: 's', issuer: 'https://accounts.google.com' },
  });
  t.same(load({ OAUTH_GITHUB_CLIENT_ID: 'id', OAUTH_GITHUB_CLIENT_SECRET: 's' }).oauth.github, {
    clientId: 'id',
    clientSecret: 's',
    url: 'https://github.com',
    apiUrl: 'https://api.github.com',
  });
  t.equal(
    messageOf(() => load({ OAUTH_GOOGLE_CLIENT_ID: 'id' })),
    'OAUTH_GOOGLE_CLIENT_SECRET: must be set when OAUTH_GOOGLE_CLIENT_ID is',
  );
  t.match(
    messageOf(() => load({ OAUTH_OIDC_ISSUER: 'https://idp.example' })),
    /OAUTH_OIDC_CLIENT_ID: must be set.*OAUTH_OIDC_CLIENT_SECRET: must be set/,
  );
});

t.test('production refuses insecure settings', async (t) => {
  t.match(load(PRODUCTION), { appEnv: 'production', databaseUrl: PRODUCTION.DATABASE_URL });
  const without = (name: keyof typeof PRODUCTION) => {
    const env: NodeJS.ProcessEnv = { ...PRODUCTION };
    delete env[name];
    return messageOf(() => load(env));
  };
  t.match(without('DATABASE_URL'), /^DATABASE_URL: must be set in production/);
  t.match(without('KEY_ENCRYPTION_KEY'), /^KEY_ENCRYPTION_KEY: must be set in production/);
  t.match(without('SMTP_URL'), /^SMTP_URL: must be set in production/);
  t.equal(
    without('PUBLIC_URL'),
    'PUBLIC_URL: must be an https URL in production (got "http://localhost:3000")',
  );
  t.match(
    messageOf(() => load({ ...PRODUCTION, CORS_ORIGINS: 'https://a.example,*' })),
    /^CORS_ORIGINS: must not contain \* in production/,
  );
  t.same(load({ CORS_ORIGINS: '*' }).corsOrigins, ['*'], 'allowed outside production');
});

t.test('resolveKeyEncryptionKey', async (t) => {
  const dataDir = path.join(dir, 'kek-data');
  const first = await resolveKeyEncryptionKey({ appEnv: 'development', dataDir });
  t.equal(first.length, 32);
  const stored = path.join(dataDir, 'key-encryption-key');
  t.equal(statSync(stored).mode & 0o777, 0o600, 'kept with mode 0600');
  t.equal((await readFile(stored, 'utf8')).trim(), first.toString('base64'));
  t.same(
    await resolveKeyEncryptionKey({ appEnv: 'development', dataDir }),
    first,
    'reused next time',
  );
  t.same(
    await resolveKeyEncryptionKey({ appEnv: 'production', dataDir, keyEncryptionKey: KEY }),
    Buffer.from(KEY, 'base64'),
  );
  await t.rejects(resolveKeyEncryptionKey({ appEnv: 'production', dataDir }), ConfigError);
  writeFileSync(stored, 'garbage\n');
  await t.rejects(resolveKeyEncryptionKey({ appEnv: 'development', dataDir }), /not 32 bytes/);
});
