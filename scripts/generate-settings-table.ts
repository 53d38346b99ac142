// `pnpm settings`: rewrites the settings table of README.md, between the
// `<!-- settings-table:start -->` and `<!-- settings-table:end -->` markers, from the code:
//   - every setting of the schema (apps/server/src/config/config-schema.ts), in its order, with
//     its `description` and, for optional settings, `x-unset` (what leaving it unset means);
//   - the default (`BASE_DEFAULTS`) and each profile's value (`PROFILE_DEFAULTS`);
//   - what production refuses, as `loadConfig` itself reports it for each profile's defaults;
//   - the variables the loader reads besides the settings (`LOADER_VARIABLES` below).
// It fails (exit 2) when a setting or loader variable has no description.
// `pnpm settings:check`: fails (exit 1) when README.md differs from what the code generates now,
// i.e. a setting, a default or a description changed without `pnpm settings`.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  APP_ENVS,
  BASE_DEFAULTS,
  ConfigError,
  loadConfig,
  PROFILE_DEFAULTS,
  SETTING_NAMES,
  settingSchema,
  type AppEnv,
  type DefaultValue,
  type ProfileDefaults,
  type SettingName,
} from '../apps/server/src/config/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const README = path.join(root, 'README.md');
const LOAD_CONFIG = path.join(root, 'apps/server/src/config/load-config.ts');
const START = '<!-- settings-table:start -->';
const END = '<!-- settings-table:end -->';
const check = process.argv.includes('--check');

/**
 * Variables `loadConfig` reads that are not settings of their own. Checked against
 * load-config.ts: each `env.NAME` it reads, and `<NAME>_FILE`, must be described here.
 */
const LOADER_VARIABLES: Readonly<Record<string, string>> = {
  CONFIG_FILE:
    'a JSON or YAML file of these settings, keyed by variable name; the environment wins over it',
  '<NAME>_FILE':
    'any setting read from a file, minus one trailing newline (secrets: `DATABASE_URL_FILE=/run/secrets/database_url`); wins over `<NAME>`',
};

/** Values tried on top of each profile's defaults: a refusal is noted in that profile's cell. */
const PROBES: Partial<Record<SettingName, string>> = { CORS_ORIGINS: '*' };

const problems: string[] = [];
const code = (text: string): string => `\`${text}\``;
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const same = (a: DefaultValue | undefined, b: DefaultValue | undefined): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

/** `NAME → problem` of loading a profile's defaults (plus `env`); empty when it loads. */
function refusals(appEnv: AppEnv, env: NodeJS.ProcessEnv = {}): Map<string, string> {
  try {
    loadConfig({ ...env, APP_ENV: appEnv }, root);
    return new Map();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return new Map(
      err.issues.map((issue) => {
        const colon = issue.indexOf(': ');
        return [issue.slice(0, colon), issue.slice(colon + 2)];
      }),
    );
  }
}

function value(name: SettingName, v: DefaultValue | undefined): string {
  if (v === undefined) {
    const unset = settingSchema(name)['x-unset'];
    return typeof unset === 'string' ? unset : 'unset';
  }
  if (typeof v === 'object') return v.length === 0 ? 'none' : code(v.join(','));
  return code(String(v));
}

/** "must be set in production (…)" → required; "must be an https URL in production" → required: an https URL. */
function refusal(problem: string): string {
  const must = /^must be (.+?) in production\b/.exec(problem)?.[1];
  if (must === 'set') return '**required**';
  return must === undefined ? `**refused**: ${problem}` : `**required**: ${must}`;
}

const base = BASE_DEFAULTS as ProfileDefaults;
const refused = new Map(APP_ENVS.map((appEnv) => [appEnv, refusals(appEnv)]));
for (const [appEnv, issues] of refused) {
  if (appEnv !== 'production' && issues.size > 0)
    problems.push(
      `the ${appEnv} profile's defaults do not load: ${[...issues.values()].join('; ')}`,
    );
}

function profileCell(name: SettingName, appEnv: AppEnv): string {
  const problem = refused.get(appEnv)?.get(name);
  if (problem !== undefined) return refusal(problem);
  const v = PROFILE_DEFAULTS[appEnv][name];
  let text = value(name, v);
  if (!same(v, base[name])) text = `**${text}**`;
  const probe = PROBES[name];
  if (probe !== undefined && refusals(appEnv, { [name]: probe }).has(name))
    text += ` (${code(probe)} refused)`;
  return text;
}

function settingRow(name: SettingName): string[] {
  const description = settingSchema(name).description;
  if (typeof description !== 'string' || description.trim() === '')
    problems.push(`${name}: no description in config-schema.ts`);
  return [
    code(name),
    value(name, base[name]),
    ...APP_ENVS.map((appEnv) => profileCell(name, appEnv)),
    String(description),
  ];
}

/** Every `env.NAME` load-config.ts reads, and `<NAME>_FILE`, has an entry in LOADER_VARIABLES. */
async function loaderRows(): Promise<string[][]> {
  const source = await readFile(LOAD_CONFIG, 'utf8');
  const read = new Set([...source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] ?? ''));
  if (source.includes('`${name}_FILE`')) read.add('<NAME>_FILE');
  for (const name of read)
    if (!(name in LOADER_VARIABLES))
      problems.push(`${name}: read by load-config.ts, no description`);
  for (const name of Object.keys(LOADER_VARIABLES))
    if (!read.has(name)) problems.push(`${name}: described but not read by load-config.ts`);
  return Object.entries(LOADER_VARIABLES).map(([name, description]) => [
    code(name),
    'unset',
    ...APP_ENVS.map(() => 'unset'),
    description,
  ]);
}

const rows = [...SETTING_NAMES.map(settingRow), ...(await loaderRows())];
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(2);
}
const header = ['variable', 'default', ...APP_ENVS, 'meaning'];
const table = [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
].join('\n');
const block = `${START}
<!-- generated by \`pnpm settings\` from apps/server/src/config: edit the schema or the defaults there -->

**Bold**: the profile's own default, or what production will not start without (as
\`loadConfig\` reports it for the profile's defaults).

${table}
${END}`;

const readme = await readFile(README, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start === -1 || end < start) {
  console.error(`README.md has no ${START} … ${END} block`);
  process.exit(2);
}
const updated = readme.slice(0, start) + block + readme.slice(end + END.length);
if (!check) {
  await writeFile(README, updated);
  console.log(`wrote the settings table of README.md (${rows.length} variables)`);
} else if (updated !== readme) {
  console.error(
    'the settings table of README.md is stale: run `pnpm settings` and commit the result',
  );
  process.exit(1);
} else {
  console.log('the settings table of README.md is up to date');
}
