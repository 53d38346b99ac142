// `pnpm openapi`: writes openapi.json (the OpenAPI 3.1 document of every route, from the route
// schemas) and the typed client's packages/client/src/schema.ts generated from it.
// `pnpm openapi:check`: fails (exit 1) when either committed file differs from what the routes
// generate now, i.e. a route changed without `pnpm openapi`.
// The app is built over test stand-ins (test/support/documented-app.ts): no database, no listen.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDocumentedApp } from '../test/support/documented-app.js';
import { generateClientSchema } from '../packages/client/scripts/generate-schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OPENAPI = path.join(root, 'openapi.json');
const SCHEMA = path.join(root, 'packages/client/src/schema.ts');
const check = process.argv.includes('--check');

const app = await buildDocumentedApp();
const document = `${JSON.stringify(app.swagger(), null, 2)}\n`;
await app.close();
const schema = await generateClientSchema(document);

const read = (file: string): Promise<string | null> => readFile(file, 'utf8').catch(() => null);
const outputs: [string, string][] = [
  [OPENAPI, document],
  [SCHEMA, schema],
];
let stale = 0;
for (const [file, content] of outputs) {
  const name = path.relative(root, file);
  if (!check) {
    await writeFile(file, content);
    console.log(`wrote ${name}`);
  } else if ((await read(file)) !== content) {
    stale += 1;
    console.error(`${name} is stale: run \`pnpm openapi\` and commit the result`);
  }
}
if (check && stale === 0) console.log('openapi.json and the client schema are up to date');
process.exit(stale === 0 ? 0 : 1);
