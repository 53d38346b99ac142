// The client's types (src/schema.ts) from the OpenAPI document, formatted like the rest of the
// repository. Called by the root `scripts/generate-openapi.ts` (`pnpm openapi`).
import openapiTS, { astToString } from 'openapi-typescript';
import prettier from 'prettier';

const BANNER =
  '// Generated from openapi.json by `pnpm openapi` (openapi-typescript). Do not edit.\n' +
  '/* eslint-disable */\n';

/** @returns the TypeScript source of `paths`, `components` and `operations` for `document`. */
export async function generateClientSchema(document: string): Promise<string> {
  const ast = await openapiTS(document, {
    // Optional response headers and fields stay optional; no runtime code is emitted.
    alphabetize: false,
    exportType: false,
  });
  const source = BANNER + astToString(ast);
  const file = new URL('../src/schema.ts', import.meta.url).pathname;
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(source, { ...options, filepath: file });
}
