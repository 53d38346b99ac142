#!/usr/bin/env node
// Checks that every Prometheus query of the Grafana dashboards names only metrics the server
// really exports.
//
//   node .ci/check-dashboard-metrics.mjs <metrics-file-or-url> [dashboard.json …]
//     [--token T]           bearer token for a protected /metrics (default: $METRICS_TOKEN)
//     [--emit-rules FILE]   also write every query as a recording rule, so that
//                           `promtool check rules FILE` parses them with Prometheus's own parser
//
// <metrics-file-or-url> is Prometheus text exposition: a saved file or a live `/metrics` URL.
// Metric names come from `# TYPE`/`# HELP` lines (labelled counters show no sample until first
// incremented) and from samples; `x_bucket`, `x_sum` and `x_count` resolve to histogram (or
// summary) `x`. Also checked: the dashboard parses, and each data source it names is provisioned
// in deploy/grafana/provisioning/datasources. Prints one line on success, one per problem
// otherwise; exits 1 on any problem, 2 on bad usage.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
let token = process.env.METRICS_TOKEN ?? '';
let emitRules = null;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--token') token = args[++i] ?? '';
  else if (args[i] === '--emit-rules') emitRules = args[++i];
  else positional.push(args[i]);
}
if (positional.length === 0) {
  console.error(
    'usage: check-dashboard-metrics.mjs <metrics-file-or-url> [dashboard.json …] [--token T] [--emit-rules FILE]',
  );
  process.exit(2);
}
const [source, ...dashboardArgs] = positional;
const dashboards =
  dashboardArgs.length > 0
    ? dashboardArgs
    : [path.join(root, 'deploy/grafana/dashboards/latchkey.json')];

/** Loads the `yaml` package: the root's if hoisted, else the one apps/server depends on. */
function loadYaml() {
  for (const from of [
    path.join(root, 'package.json'),
    path.join(root, 'apps/server/package.json'),
  ]) {
    try {
      return createRequire(from)('yaml');
    } catch {
      // try the next location
    }
  }
  throw new Error('the `yaml` package is not installed (run pnpm install)');
}

// ---- exposition text -> exported metric families ------------------------------------------------

async function readExposition(src) {
  if (/^https?:\/\//.test(src)) {
    const res = await fetch(src, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw new Error(`GET ${src} answered ${res.status}`);
    return res.text();
  }
  return readFile(src, 'utf8');
}

/** @returns {Map<string, string>} metric name -> type ("untyped" when only samples were seen) */
function parseExposition(text) {
  const families = new Map();
  for (const line of text.split('\n')) {
    const meta = /^#\s*(TYPE|HELP)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(\S+))?/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') families.set(meta[2], meta[3] ?? 'untyped');
      else if (!families.has(meta[2])) families.set(meta[2], 'untyped');
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[\s{]/.exec(line);
    if (sample && !families.has(sample[1])) families.set(sample[1], 'untyped');
  }
  return families;
}

/** Resolves a queried name to the exported family it belongs to, or null. */
function resolveMetric(name, families) {
  if (families.has(name)) return name;
  const suffixed = /^(.*)_(bucket|sum|count|total|created)$/.exec(name);
  if (!suffixed) return null;
  const [, base, suffix] = suffixed;
  const type = families.get(base);
  if (!type) return null;
  if (suffix === 'bucket') return type === 'histogram' ? base : null;
  if (suffix === 'sum' || suffix === 'count')
    return type === 'histogram' || type === 'summary' ? base : null;
  return type === 'counter' ? base : null; // OpenMetrics counters are typed without `_total`
}

// ---- PromQL -> metric names ---------------------------------------------------------------------

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
  'start',
  'end',
]);

/** Replaces Grafana's template variables with values PromQL accepts where they stand. */
function substituteVariables(expr) {
  return expr
    .replace(/\$__(rate_interval|interval|range|range_s|range_ms|interval_ms)\b/g, '5m')
    .replace(/\$\{[^}]*\}|\[\[[^\]]*\]\]|\$[a-zA-Z_]\w*/g, 'x');
}

/** Metric names in one PromQL expression (after substituteVariables). */
export function metricNames(expr) {
  const names = new Set();
  for (const m of expr.matchAll(/__name__\s*=\s*"([^"]+)"/g)) names.add(m[1]);
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const token = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])*|\.\d+|[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  for (const m of s.matchAll(token)) {
    const word = m[0];
    if (/^[\d.]/.test(word) || KEYWORDS.has(word.toLowerCase())) continue;
    const after = s.slice(m.index + word.length).trimStart();
    if (after.startsWith('(')) continue; // a function or aggregation
    names.add(word);
  }
  return names;
}

/** PromQL expressions in a Grafana template variable query. */
function variableExpressions(query) {
  const q = typeof query === 'string' ? query : (query?.query ?? '');
  const call = /^\s*(label_values|query_result|label_names|metrics)\s*\(([\s\S]*)\)\s*$/.exec(q);
  if (!call) return q.trim() ? [q] : [];
  const [, fn, inner] = call;
  if (fn === 'query_result') return [inner];
  if (fn === 'label_values') {
    const lastComma = inner.lastIndexOf(',');
    return lastComma > 0 ? [inner.slice(0, lastComma)] : [];
  }
  return [];
}

// ---- dashboards ---------------------------------------------------------------------------------

function isPrometheus(ds, fallback) {
  const d = ds ?? fallback;
  if (d == null) return true; // the default data source, Prometheus here
  if (typeof d === 'string') return !/loki|alertmanager/i.test(d);
  return d.type === 'prometheus' || (d.type == null && /^\$/.test(d.uid ?? ''));
}

function* allPanels(panels = []) {
  for (const p of panels) {
    yield p;
    if (Array.isArray(p.panels)) yield* allPanels(p.panels);
  }
}

async function provisionedDatasources() {
  const YAML = loadYaml();
  const dir = path.join(root, 'deploy/grafana/provisioning/datasources');
  const uids = new Map();
  for (const file of await readdir(dir)) {
    if (!/\.ya?ml$/.test(file)) continue;
    const doc = YAML.parse(await readFile(path.join(dir, file), 'utf8'));
    for (const ds of doc?.datasources ?? []) uids.set(ds.uid, ds.type);
  }
  return uids;
}

const problems = [];
const families = parseExposition(
  await readExposition(source).catch((err) => {
    console.error(`FAIL cannot read metrics from ${source}: ${err.message}`);
    process.exit(1);
  }),
);
if (families.size === 0) problems.push(`no metrics found in ${source}`);
const datasources = await provisionedDatasources();

const rules = [];
let queryCount = 0;
const used = new Set();
for (const file of dashboards) {
  const rel = path.relative(root, path.resolve(file));
  let dash;
  try {
    dash = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    problems.push(`${rel}: not valid JSON (${err.message})`);
    continue;
  }
  if (!dash.uid || !dash.title || !Array.isArray(dash.panels))
    problems.push(`${rel}: no uid, title or panels`);

  const queries = []; // [where, expr]
  for (const v of dash.templating?.list ?? []) {
    if (v.type !== 'query' || !isPrometheus(v.datasource)) continue;
    for (const expr of variableExpressions(v.query ?? v.definition))
      queries.push([`variable $${v.name}`, expr]);
  }
  for (const panel of allPanels(dash.panels)) {
    for (const ds of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]) {
      if (
        ds &&
        typeof ds === 'object' &&
        ds.uid &&
        !ds.uid.startsWith('$') &&
        !ds.uid.startsWith('-- ')
      ) {
        if (!datasources.has(ds.uid))
          problems.push(
            `${rel}: panel "${panel.title}" uses data source uid "${ds.uid}", which is not provisioned`,
          );
        else if (ds.type && datasources.get(ds.uid) !== ds.type)
          problems.push(
            `${rel}: panel "${panel.title}" expects uid "${ds.uid}" to be ${ds.type}, provisioned as ${datasources.get(ds.uid)}`,
          );
      }
    }
    for (const t of panel.targets ?? []) {
      if (t.hide || typeof t.expr !== 'string' || !isPrometheus(t.datasource, panel.datasource))
        continue;
      queries.push([`panel "${panel.title}" ${t.refId ?? ''}`.trim(), t.expr]);
    }
  }
  if (queries.length === 0) problems.push(`${rel}: no Prometheus queries`);

  for (const [where, raw] of queries) {
    queryCount++;
    const expr = substituteVariables(raw);
    rules.push({ where: `${rel}: ${where}`, expr });
    const names = metricNames(expr);
    if (names.size === 0) problems.push(`${rel}: ${where}: names no metric: ${raw}`);
    for (const name of names) {
      const family = resolveMetric(name, families);
      if (family) used.add(family);
      else problems.push(`${rel}: ${where}: metric "${name}" is not exported by ${source}`);
    }
  }
}

if (emitRules) {
  const esc = (s) => JSON.stringify(s);
  const body = [
    '# generated by .ci/check-dashboard-metrics.mjs: every dashboard query, for promtool',
    'groups:',
    '  - name: dashboard-queries',
    '    rules:',
  ];
  rules.forEach((r, i) =>
    body.push(
      `      - record: dashboard_query_${i + 1}`,
      `        expr: ${esc(r.expr)}`,
      `        labels: { source: ${esc(r.where)} }`,
    ),
  );
  await writeFile(emitRules, body.join('\n') + '\n');
}

if (problems.length > 0) {
  for (const p of problems) console.log(`FAIL ${p}`);
  process.exit(1);
}
console.log(
  `ok ${queryCount} queries in ${dashboards.length} dashboard(s) name ${used.size} metrics, all exported by ${source}`,
);
