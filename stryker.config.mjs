// StrykerJS options shared by every mutation run. `npm run mutate` (scripts/mutate.mjs) runs one Stryker per
// GROUP of security-core files, each against only the test files that exercise it (mutation/groups.mjs);
// this file holds what the groups share. See docs/mutation.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.ts',
    // The group's test files are given explicitly (testMatch, set per group); findRelatedTests would pull in
    // every file that imports core, i.e. the whole suite.
    enableFindRelatedTests: false,
  },
  // Per test: each mutant runs only the tests that reached it in the dry run.
  coverageAnalysis: 'perTest',
  // Mutants that do not type-check are dropped before any test runs (they are not counted).
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.stryker.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Two cores shared with other work: one test runner and one checker process by default.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  timeoutMS: 10_000,
  // The incremental file lets a re-run test only the mutants whose code or tests changed. It lives under
  // reports/ (gitignored): committing it would conflict on every merge.
  incremental: true,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  // The sandbox copy needs sources, tests and configs; not reports, docs or benchmark results.
  ignorePatterns: ['reports', 'artifacts', 'coverage', 'bench/results', 'docs', '.stryker-tmp', 'dist'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 90, low: 85 },
};
