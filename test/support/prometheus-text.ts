import { spawnSync } from 'node:child_process';

/** One sample line: `name{labels} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family: its `# TYPE`, `# HELP` and samples (histogram samples keep their suffixes). */
export interface Family {
  readonly name: string;
  type: string;
  help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** A sample value as Prometheus reads it (Go's ParseFloat: `NaN`, `+Inf` in any case). */
const parseValue = (text: string): number => {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value "${text}"`);
  return Number(text);
};

/** Parses `{a="x",b="y\"z"}` (the text after the metric name up to the closing brace). */
const parseLabels = (text: string, line: string): [Record<string, string>, number] => {
  const labels: Record<string, string> = {};
  let i = 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`bad labels: ${line}`);
    const name = text.slice(i, eq).trim();
    if (!LABEL.test(name)) throw new Error(`bad label name "${name}": ${line}`);
    if (name in labels) throw new Error(`duplicate label "${name}": ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`unquoted label value: ${line}`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape in label value: ${line}`);
      } else value += text[j];
    }
    if (j >= text.length) throw new Error(`unterminated label value: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`bad label separator: ${line}`);
  }
  return [labels, i + 1];
};

const familyOf = (name: string, families: Map<string, Family>): Family | undefined =>
  families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));

/** Applies a `# HELP` or `# TYPE` line (other comments are ignored). */
const parseComment = (line: string, families: Map<string, Family>): void => {
  const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
  if (!match) return;
  const [, kind, name = '', rest = ''] = match;
  if (!NAME.test(name)) throw new Error(`bad metric name "${name}"`);
  const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
  if (kind === 'TYPE') {
    if (!TYPES.has(rest)) throw new Error(`bad type "${rest}" for ${name}`);
    if (family.samples.length > 0) throw new Error(`TYPE after samples for ${name}`);
    family.type = rest;
  } else family.help = rest;
  families.set(name, family);
};

const parseSample = (line: string, families: Map<string, Family>): void => {
  const nameEnd = line.search(/[{ ]/);
  if (nameEnd <= 0) throw new Error(`bad sample line: ${line}`);
  const name = line.slice(0, nameEnd);
  if (!NAME.test(name)) throw new Error(`bad metric name "${name}"`);
  let rest = line.slice(nameEnd);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const [parsed, end] = parseLabels(rest, line);
    labels = parsed;
    rest = rest.slice(end);
  }
  const parts = rest.trim().split(/\s+/);
  if (parts.length > 2) throw new Error(`bad sample line: ${line}`);
  const value = parseValue(parts[0] ?? '');
  const family = familyOf(name, families);
  if (family === undefined) throw new Error(`sample without TYPE: ${line}`);
  family.samples.push({ name, labels, value });
};

/**
 * Parses Prometheus text exposition (format 0.0.4) strictly: names, labels, escapes, values,
 * one TYPE per family before its samples, and histogram consistency (cumulative buckets ending
 * in `le="+Inf"` equal to `_count`). @throws on the first violation.
 */
export const parsePrometheusText = (text: string): Map<string, Family> => {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) parseComment(line, families);
    else parseSample(line, families);
  }
  for (const family of families.values()) {
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
};

const checkHistogram = (family: Family): void => {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  const keyOf = (labels: Readonly<Record<string, string>>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  for (const sample of family.samples) {
    const key = keyOf(sample.labels);
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      const le = sample.labels.le;
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      entry.buckets.push([parseValue(le), sample.value]);
    } else if (sample.name.endsWith('_count')) entry.count = sample.value;
  }
  for (const [key, { buckets, count }] of series) {
    const last = buckets.at(-1);
    if (last === undefined || last[0] !== Infinity)
      throw new Error(`${family.name}${key}: no +Inf bucket`);
    for (let i = 1; i < buckets.length; i++) {
      const [le, n] = buckets[i] ?? [0, 0];
      const [prevLe, prevN] = buckets[i - 1] ?? [0, 0];
      if (le <= prevLe || n < prevN)
        throw new Error(`${family.name}${key}: buckets not cumulative`);
    }
    if (count !== last[1]) throw new Error(`${family.name}${key}: +Inf bucket != _count`);
  }
};

/** The value of the sample `name` whose labels include `labels`, or undefined. */
export const sampleValue = (
  families: Map<string, Family>,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined =>
  familyOf(name, families)?.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;

/** What `promtool check metrics` said: whether it parsed, and its lint findings. */
export interface PromtoolResult {
  /** False on a text format parsing error. */
  readonly parsed: boolean;
  /** One line per lint finding (`<metric> <problem>`), or the parse error. */
  readonly findings: readonly string[];
}

/**
 * `promtool check metrics` on `text` (Prometheus's own parser, then its lint) when promtool is
 * installed (`apt-get install prometheus`). @returns null when it is not.
 */
export const promtoolCheck = (text: string): PromtoolResult | null => {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) return null;
  const findings = `${result.stdout}${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return { parsed: !findings.some((line) => line.includes('parsing error')), findings };
};
