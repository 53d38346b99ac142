// Runs dependency-cruiser through its API. Its CLI (v18) refuses to start on Node 20
// ("node version not supported"); the API itself works there.
// Usage: node .ci/depcruise.mjs [--config .dependency-cruiser.cjs] <dir>...
import { resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const args = process.argv.slice(2);
let configFile = '.dependency-cruiser.cjs';
const at = args.indexOf('--config');
if (at !== -1) {
  configFile = args[at + 1] ?? configFile;
  args.splice(at, 2);
}
const targets = args.length > 0 ? args : ['packages', 'apps'];

const options = await extractDepcruiseOptions(resolve(configFile));
const result = await cruise(targets, { ...options, outputType: 'err' });
process.stdout.write(String(result.output));
process.exitCode = result.exitCode > 0 ? 1 : 0;
