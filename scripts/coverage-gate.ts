// `pnpm coverage:gate`: after `pnpm test`, checks the coverage of the last run per layer.
// tap itself enforces the overall floors of .taprc (80 %); this adds the stricter floors of the
// pure layers (90 % for packages/domain and packages/application) and prints a table per package.
//   pnpm test && pnpm coverage:gate
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

type Metric = 'lines' | 'statements' | 'functions' | 'branches';
const METRICS: readonly Metric[] = ['lines', 'statements', 'functions', 'branches'];

/** Floors per package folder, on every metric. The rest only counts toward tap's overall floor. */
const FLOORS: Readonly<Record<string, number>> = {
  'packages/domain': 90,
  'packages/application': 90,
};

interface Counts {
  total: number;
  covered: number;
}
type Summary = Record<string, Record<Metric, Counts>>;

const report = spawnSync(
  path.join(root, 'node_modules', '.bin', 'tap'),
  ['report', 'json-summary'],
  { cwd: root, encoding: 'utf8' },
);
if (report.error) throw report.error;

let summary: Summary;
try {
  summary = JSON.parse(
    readFileSync(path.join(root, '.tap', 'report', 'coverage-summary.json'), 'utf8'),
  ) as Summary;
} catch {
  console.error('coverage-gate: no coverage report; run `pnpm test` first');
  process.exit(1);
}

/** `packages/domain`, `apps/server`…: the workspace package a covered file belongs to. */
const packageOf = (file: string): string | null =>
  /(?:^|\/)((?:packages|apps)\/[^/]+)\//.exec(path.relative(root, file))?.[1] ?? null;

const totals = new Map<string, Record<Metric, Counts>>();
for (const [file, counts] of Object.entries(summary)) {
  if (file === 'total') continue;
  const pkg = packageOf(file);
  if (pkg === null) continue;
  const into =
    totals.get(pkg) ??
    (Object.fromEntries(METRICS.map((m) => [m, { total: 0, covered: 0 }])) as Record<
      Metric,
      Counts
    >);
  for (const metric of METRICS) {
    into[metric].total += counts[metric].total;
    into[metric].covered += counts[metric].covered;
  }
  totals.set(pkg, into);
}

const pct = (c: Counts): number => (c.total === 0 ? 100 : (100 * c.covered) / c.total);
const failures: string[] = [];
console.log(`${'package'.padEnd(28)} ${METRICS.map((m) => m.padStart(10)).join(' ')}   floor`);
for (const [pkg, counts] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
  const floor = FLOORS[pkg];
  console.log(
    `${pkg.padEnd(28)} ${METRICS.map((m) => `${pct(counts[m]).toFixed(1)} %`.padStart(10)).join(' ')}   ${floor === undefined ? '-' : `${floor} %`}`,
  );
  if (floor === undefined) continue;
  for (const metric of METRICS) {
    if (pct(counts[metric]) < floor)
      failures.push(`${pkg}: ${metric} ${pct(counts[metric]).toFixed(1)} % < ${floor} %`);
  }
}
for (const pkg of Object.keys(FLOORS)) {
  if (!totals.has(pkg)) failures.push(`${pkg}: no coverage recorded`);
}
const all = summary.total;
if (all !== undefined) {
  console.log(
    `${'all files'.padEnd(28)} ${METRICS.map((m) => `${pct(all[m]).toFixed(1)} %`.padStart(10)).join(' ')}   80 % (tap)`,
  );
}
if (failures.length > 0) {
  console.error(`coverage-gate: below the floor\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('coverage-gate: ok');
