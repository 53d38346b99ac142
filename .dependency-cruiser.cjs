// Layering rules for Latchkey: dependencies point inward only.
//   domain <- application <- adapters-* <- apps/server (composition root)
// Paths are real paths: workspace packages are followed through their node_modules symlinks
// (preserveSymlinks: false) and resolved with the `@latchkey/source` export condition, so
// `@latchkey/domain` is seen as `packages/domain/src/index.ts`.

const PKG = '^((?:packages|apps)/[^/]+|test)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'packages/domain/src imports only itself: no other workspace package, no npm package, ' +
        'no node: builtin (ids and time come through ports).',
      severity: 'error',
      from: { path: '^packages/domain/src/' },
      to: { pathNot: '^packages/domain/src/' },
    },
    {
      name: 'application-depends-only-on-domain',
      comment:
        'packages/application/src imports only itself and @latchkey/domain: no adapter, no npm ' +
        'package, no node: builtin (technology lives behind ports).',
      severity: 'error',
      from: { path: '^packages/application/src/' },
      to: { pathNot: '^packages/(application|domain)/src/' },
    },
    {
      name: 'adapters-are-independent',
      comment: 'An adapter never imports another adapter; apps/server wires them together.',
      severity: 'error',
      from: { path: '^packages/(adapters-[^/]+)/' },
      to: { path: '^packages/adapters-[^/]+/', pathNot: '^packages/$1/' },
    },
    {
      name: 'only-composition-root-uses-adapters',
      comment: 'Only apps/server (and the e2e tests in test/) may depend on adapter packages.',
      severity: 'error',
      from: { pathNot: '^(apps/server/|packages/adapters-[^/]+/|test/)' },
      to: { path: '^packages/adapters-[^/]+/' },
    },
    {
      name: 'nothing-depends-on-apps',
      comment: 'Packages never import an app; an app never imports another app.',
      severity: 'error',
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^$1/$2/' },
    },
    {
      name: 'no-relative-import-across-packages',
      comment:
        'Another workspace package or app is imported by its name (@latchkey/x), never by a ' +
        'relative path into its folder. (Tests may share the helpers and fakes in test/.)',
      severity: 'error',
      from: { path: PKG },
      to: {
        dependencyTypes: ['local'],
        path: '^(packages|apps)/[^/]+/',
        pathNot: '^$1/',
      },
    },
    {
      name: 'no-importing-test-files',
      comment: 'A *.test.ts file is an entry point for tap, never a module to import.',
      severity: 'error',
      from: {},
      to: { path: '\\.test\\.ts$' },
    },
    {
      name: 'src-not-to-test-code',
      comment: 'Shipped code (src/) never imports test code or test support.',
      severity: 'error',
      from: { path: '^(packages|apps)/[^/]+/src/' },
      to: { path: '(^|/)test/' },
    },
    {
      name: 'no-deep-import',
      comment:
        'Only the entry points in a package\'s "exports" map may be imported: ' +
        '@latchkey/x/src/... (or any other subpath it does not export) is a deep import.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^@latchkey/[^/]+/.' },
    },
    {
      name: 'no-workspace-dist',
      comment:
        'Workspace packages must resolve to src/ (export condition @latchkey/source); a ' +
        "dependency on another package's dist/ means a bypassed exports map or a stale build.",
      severity: 'error',
      from: {},
      to: { path: '^(packages|apps)/[^/]+/dist/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, inside a package or across packages.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import resolves. With pnpm, an npm package that is missing from the importing ' +
        "package's package.json does not resolve either.",
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^@latchkey/[^/]+/.' },
    },
    {
      name: 'no-undeclared-npm',
      comment: "npm packages are declared in the importing package's package.json.",
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'src-not-to-dev-deps',
      comment:
        'Shipped code (src/) does not statically import devDependencies: they are absent from ' +
        'a production install. Type-only imports and on-demand `await import()` are fine; so is ' +
        'a package that is also a regular dependency of the importing package.',
      severity: 'error',
      from: { path: '^(packages|apps)/[^/]+/src/' },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['npm', 'type-only', 'dynamic-import'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Build and tool output of the workspace itself (not `dist/` inside npm packages).
    exclude: {
      path: [
        '^(packages|apps)/[^/]+/(dist|coverage|\\.tap|\\.data)/',
        '^(test/)?(dist|coverage|\\.tap|\\.data)/',
      ],
    },
    // `import type` counts too: the domain may not even borrow types from fastify.
    tsPreCompilationDeps: true,
    // Root devDependencies (tap, fast-check) count for every package's tests.
    combinedDependencies: true,
    // Follow workspace symlinks to their real packages/<name>/ paths.
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@latchkey/source', 'import', 'types', 'default'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
