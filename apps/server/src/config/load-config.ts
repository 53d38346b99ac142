import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { PROFILE_DEFAULTS } from './config-defaults.js';
import {
  APP_ENVS,
  ConfigSchema,
  SETTING_NAMES,
  settingSchema,
  type AppEnv,
  type SettingName,
  type Settings,
} from './config-schema.js';
import { ConfigError, toConfig, type Config } from './config-types.js';

/** One setting's raw value and where it came from (for messages). */
interface Sourced {
  value: unknown;
  /** Appended to messages: '' for the environment, else e.g. ` from /etc/latchkey.yaml`. */
  from: string;
}
type Layer = Partial<Record<SettingName, Sourced>>;

const isSettingName = (key: string): key is SettingName =>
  (SETTING_NAMES as string[]).includes(key);

/**
 * Loads, converts and validates the configuration. Sources, lowest first: the `APP_ENV`
 * profile's defaults, `CONFIG_FILE` (JSON or YAML, keys are the variable names), environment
 * variables, then `<NAME>_FILE` (the file's content, minus one trailing newline). An empty
 * environment variable counts as unset.
 * @throws ConfigError naming every bad variable; production also refuses insecure settings.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Config {
  const issues: string[] = [];
  const file = readConfigFile(env, cwd);
  const { fromEnv, fromSecretFiles } = readEnvironment(env, cwd, issues);
  const appEnv = resolveAppEnv(fromSecretFiles.APP_ENV ?? fromEnv.APP_ENV ?? file.APP_ENV);
  const defaults: Layer = {};
  for (const [name, value] of Object.entries(PROFILE_DEFAULTS[appEnv])) {
    defaults[name as SettingName] = { value, from: ` (the ${appEnv} default)` };
  }

  const merged: Layer = { ...defaults, ...file, ...fromEnv, ...fromSecretFiles };
  const converted: Record<string, unknown> = {};
  for (const [name, sourced] of Object.entries(merged) as [SettingName, Sourced][]) {
    converted[name] = convert(settingSchema(name), sourced.value);
  }
  issues.push(...schemaIssues(converted, merged));
  if (issues.length > 0) throw new ConfigError(issues);

  const settings = converted as Settings;
  issues.push(...crossChecks(settings));
  if (issues.length > 0) throw new ConfigError(issues);
  return toConfig(settings, cwd);
}

/** Environment variables, and `<NAME>_FILE` secrets (problems reading them go to `issues`). */
function readEnvironment(
  env: NodeJS.ProcessEnv,
  cwd: string,
  issues: string[],
): { fromEnv: Layer; fromSecretFiles: Layer } {
  const fromEnv: Layer = {};
  const fromSecretFiles: Layer = {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[name] = { value, from: '' };
    const secretPath = env[`${name}_FILE`];
    if (secretPath === undefined || secretPath === '') continue;
    try {
      const content = readFileSync(path.resolve(cwd, secretPath), 'utf8').replace(/\r?\n$/, '');
      fromSecretFiles[name] = { value: content, from: ` from ${name}_FILE` };
    } catch (err) {
      issues.push(
        `${name}_FILE: cannot read ${secretPath} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  return { fromEnv, fromSecretFiles };
}

/** The profile picks the defaults, so it is settled first. */
function resolveAppEnv(source: Sourced | undefined): AppEnv {
  const value = source?.value ?? 'development';
  if ((APP_ENVS as readonly unknown[]).includes(value)) return value as AppEnv;
  throw new ConfigError([
    `APP_ENV: must be one of ${APP_ENVS.join(', ')} (got ${JSON.stringify(value)}${source?.from ?? ''})`,
  ]);
}

/** One message per invalid setting. */
function schemaIssues(converted: Record<string, unknown>, merged: Layer): string[] {
  const bad = new Set<SettingName>();
  for (const error of Value.Errors(ConfigSchema, converted)) {
    const key = error.instancePath.split('/')[1];
    if (key !== undefined && isSettingName(key)) bad.add(key);
  }
  return [...bad].map((key) => describeProblem(key, merged[key]));
}

/** Decodes a `KEY_ENCRYPTION_KEY` value (base64 or base64url); null unless exactly 32 bytes. */
export function decodeKeyEncryptionKey(value: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return null;
  const key = Buffer.from(value, 'base64');
  return key.length === 32 ? key : null;
}

function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): Layer {
  const configPath = env.CONFIG_FILE;
  if (configPath === undefined || configPath === '') return {};
  const parsed = parseConfigFile(configPath, path.resolve(cwd, configPath));
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([
      `CONFIG_FILE: ${configPath} must hold a mapping of setting names to values`,
    ]);
  }
  const unknown = Object.keys(parsed).filter((key) => !isSettingName(key));
  if (unknown.length > 0) {
    throw new ConfigError([
      `CONFIG_FILE: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in ${configPath}`,
    ]);
  }
  const layer: Layer = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== null) layer[key as SettingName] = { value, from: ` from ${configPath}` };
  }
  return layer;
}

function parseConfigFile(configPath: string, absolute: string): unknown {
  try {
    const content = readFileSync(absolute, 'utf8');
    return absolute.endsWith('.json') ? JSON.parse(content) : parseYaml(content);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code ?? (err instanceof Error ? err.message.split('\n')[0] : String(err));
    throw new ConfigError(
      [`CONFIG_FILE: cannot ${code === undefined ? 'parse' : 'read'} ${configPath} (${reason})`],
      { cause: err },
    );
  }
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function toBoolean(value: string): boolean | string {
  const lowered = value.trim().toLowerCase();
  if (lowered === 'true' || lowered === '1') return true;
  if (lowered === 'false' || lowered === '0') return false;
  return value;
}

const toInteger = (value: string): number | string =>
  /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value;

/** Converts a string (environment, secret file, quoted YAML) to the setting's type; anything else is left for validation to refuse. */
function convert(schema: Record<string, unknown>, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (schema.anyOf !== undefined) {
    // TRUST_PROXY: a boolean, a hop count, or a list of addresses
    const asBoolean = /^\s*(true|false)\s*$/i.test(value) ? toBoolean(value) : value;
    if (typeof asBoolean === 'boolean') return asBoolean;
    const asInteger = toInteger(value);
    return typeof asInteger === 'number' ? asInteger : list(value);
  }
  switch (schema.type) {
    case 'integer':
      return toInteger(value);
    case 'boolean':
      return toBoolean(value);
    case 'array':
      return list(value);
    default:
      return value;
  }
}

/** "must be …" for a setting, from its schema. */
function expectation(schema: Record<string, unknown>): string {
  const expected = schema['x-expected'];
  if (typeof expected === 'string') return expected;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.join(', ')}`;
  if (schema.type === 'integer') {
    const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
    if (minimum !== undefined && maximum !== undefined)
      return `an integer between ${minimum} and ${maximum}`;
    if (minimum === 0) return 'an integer of 0 or more';
    if (minimum !== undefined) return `an integer of at least ${minimum}`;
    return 'an integer';
  }
  if (schema.type === 'string') return 'a non-empty string';
  return 'valid';
}

function describeProblem(name: SettingName, sourced: Sourced | undefined): string {
  const schema = settingSchema(name);
  if (sourced === undefined) return `${name}: must be set`;
  const shown = schema['x-secret'] === true ? '' : `got ${JSON.stringify(sourced.value)}`;
  const origin = sourced.from.trim();
  const detail = [shown, origin].filter((part) => part !== '').join(' ');
  return `${name}: must be ${expectation(schema)}${detail === '' ? '' : ` (${detail})`}`;
}

/** Rules that span settings, and the production profile's refusals. */
function crossChecks(s: Settings): string[] {
  const issues: string[] = [];
  if (s.KEY_ENCRYPTION_KEY !== undefined && decodeKeyEncryptionKey(s.KEY_ENCRYPTION_KEY) === null) {
    issues.push(
      `KEY_ENCRYPTION_KEY: must be 32 bytes encoded as base64 (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  const together = (names: SettingName[]) => {
    const set = names.filter((name) => s[name] !== undefined);
    if (set.length === 0 || set.length === names.length) return;
    for (const name of names.filter((n) => s[n] === undefined))
      issues.push(`${name}: must be set when ${set.join(' and ')} is`);
  };
  together(['OAUTH_GOOGLE_CLIENT_ID', 'OAUTH_GOOGLE_CLIENT_SECRET']);
  together(['OAUTH_GITHUB_CLIENT_ID', 'OAUTH_GITHUB_CLIENT_SECRET']);
  together(['OAUTH_OIDC_ISSUER', 'OAUTH_OIDC_CLIENT_ID', 'OAUTH_OIDC_CLIENT_SECRET']);

  if (s.APP_ENV !== 'production') return issues;
  if (s.DATABASE_URL === undefined)
    issues.push(
      'DATABASE_URL: must be set in production (the embedded PostgreSQL is for development)',
    );
  if (s.KEY_ENCRYPTION_KEY === undefined) {
    issues.push(
      'KEY_ENCRYPTION_KEY: must be set in production (generated keys are for development)',
    );
  }
  if (s.CORS_ORIGINS.includes('*'))
    issues.push('CORS_ORIGINS: must not contain * in production (list the allowed origins)');
  if (s.SMTP_URL === undefined) {
    // Without SMTP, mails (with their reset and verification links) would go to the logs.
    issues.push('SMTP_URL: must be set in production (logged mails are for development)');
  }
  if (!s.PUBLIC_URL.startsWith('https://')) {
    issues.push(
      `PUBLIC_URL: must be an https URL in production (got ${JSON.stringify(s.PUBLIC_URL)})`,
    );
  }
  return issues;
}
