// ESLint 9 flat config: JS recommended + typescript-eslint recommended (syntactic rules only, so a lint
// of the whole tree stays a few seconds on a small machine; tsc --noEmit does the type checking).
// Formatting is Prettier's job (`npm run format`), so no stylistic rules here.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Layering (eslint-plugin-boundaries). What each package's sources may import, besides
// themselves and npm packages: core ← stores ← express ← protocols, nothing upward or sideways.
// tsconfig `paths` would let any of these type-check (`@authmount/*` maps to every package's
// src/), so this table, not tsc, is what keeps the layers apart.
const LAYERS = {
  core: [],
  'store-memory': ['core'],
  'store-redis': ['core'],
  'store-postgres': ['core'],
  express: ['core', 'store-memory'],
  pcloud: ['core', 'express'],
  'x-auth-bearer': ['core', 'express'],
  'cb-token': ['core', 'express'],
};
// A package's tests may also import the stores (to run on each of them) and express (to test
// over real HTTP); test-support, bench and examples may import every package. All of them by name.
const TEST_EXTRAS = ['store-memory', 'store-redis', 'store-postgres', 'express'];
const TOOLING = ['test-support', 'bench', 'examples', 'scripts'];

const PACKAGES = readdirSync(path.join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(root, 'packages', d.name, 'package.json')))
  .map((d) => d.name);
const unplaced = PACKAGES.filter((p) => !(p in LAYERS));
if (unplaced.length > 0) {
  throw new Error(`eslint.config.mjs: add packages/${unplaced.join(', packages/')} to LAYERS (what it may import)`);
}

/** Micromatch pattern for "any package except these". */
const notIn = (names) => (names.length === 1 ? `!${names[0]}` : `!{${[...new Set(names)].join(',')}}`);
const only = (names) => (names.length === 0 ? 'no other @authmount package' : `only ${names.map((p) => `@authmount/${p}`).join(', ')}`);
const PACKAGE_PARTS = ['src', 'test', 'package'];

const boundaryPolicies = PACKAGES.flatMap((pkg) => {
  const mayImport = [pkg, ...LAYERS[pkg]];
  const testsMayImport = [...new Set([...mayImport, ...TEST_EXTRAS])];
  return [
    {
      from: { element: { type: 'src', captured: { pkg } } },
      disallow: { to: { element: { type: PACKAGE_PARTS, captured: { pkg: notIn(mayImport) } } } },
      message: `@authmount/${pkg} may import ${only(LAYERS[pkg])} (layers: LAYERS in eslint.config.mjs)`,
    },
    {
      from: { element: { type: 'src', captured: { pkg } } },
      disallow: { to: [{ element: { type: ['test', ...TOOLING] } }] },
      message: `published sources (packages/${pkg}/src) must not import tests, test-support, bench, examples or scripts`,
    },
    {
      from: { element: { type: 'test', captured: { pkg } } },
      disallow: { to: { element: { type: PACKAGE_PARTS, captured: { pkg: notIn(testsMayImport) } } } },
      message: `packages/${pkg}/test may import ${only(testsMayImport.filter((p) => p !== pkg))} besides @authmount/${pkg} (eslint.config.mjs)`,
    },
    {
      // From anywhere outside packages/<pkg>: by its name (`@authmount/<pkg>`), never by a path.
      from: [
        { element: { type: PACKAGE_PARTS, captured: { pkg: `!${pkg}` } } },
        { element: { type: TOOLING } },
        { file: { categories: 'root' } }, // jest.config.ts and the other files at the top
      ],
      disallow: { to: { element: { type: PACKAGE_PARTS, captured: { pkg } } }, dependency: { source: '!@authmount/**' } },
      message: `import @authmount/${pkg} by its name, not by a path into packages/${pkg}`,
    },
  ];
});

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'docs/api/**', 'coverage/**', 'bench/results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: {
      // `_name` marks a parameter kept for its position (Express error handlers need four).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // TypeScript's CommonJS syntax (`import x = require('x')`) is the point of a .cts file.
    files: ['**/*.cts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/test/**/*.ts', 'test-support/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
  },
  {
    plugins: { boundaries },
    settings: {
      // Resolve `@authmount/*` through tsconfig `paths` (to packages/*/src), as tsc, jest and tsx do.
      'import/resolver': { typescript: { project: path.join(root, 'tsconfig.json') } },
      'boundaries/root-path': root,
      'boundaries/dependency-nodes': ['import', 'export', 'require', 'dynamic-import'],
      // TypeScript's own forms: `import x = require('…')` and `typeof import('…')` in a type.
      'boundaries/additional-dependency-nodes': [
        { selector: 'TSExternalModuleReference > Literal', kind: 'value', name: 'import-equals' },
        { selector: 'TSImportType > Literal', kind: 'type', name: 'import-type' },
      ],
      'boundaries/files': [{ category: 'root', pattern: '*' }],
      'boundaries/elements': [
        { type: 'src', pattern: 'packages/*/src', capture: ['pkg'], partialMatch: false },
        { type: 'test', pattern: 'packages/*/test', capture: ['pkg'], partialMatch: false },
        { type: 'package', pattern: 'packages/*', capture: ['pkg'], partialMatch: false },
        ...TOOLING.map((type) => ({ type, pattern: type, partialMatch: false })),
      ],
    },
    rules: { 'boundaries/dependencies': ['error', { default: 'allow', policies: boundaryPolicies }] },
  },
);
