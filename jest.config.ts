import type { Config } from 'jest';

// Type checking is done once by `tsc --noEmit` (npm test runs it first), so ts-jest only
// transpiles: that keeps the suite fast and the two concerns separate.
const transform: Config['transform'] = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const workspaces = {
  '^@authmount/([^/]+)$': '<rootDir>/packages/$1/src',
  '^@authmount/([^/]+)/(.+)$': '<rootDir>/packages/$1/src/$2',
};

/** The store packages a narrowed run (AUTHMOUNT_TEST_STORES) does not test lose their floor; the rest keep it. */
function withoutUnselectedStores(floors: Record<string, Record<string, number>>): Config['coverageThreshold'] {
  const only = process.env.AUTHMOUNT_TEST_STORES?.split(',').map((s) => s.trim());
  // `global: {}`: no floor over all files; every file belongs to one package's floor.
  if (!only) return { global: {}, ...floors };
  return {
    global: {},
    ...Object.fromEntries(
      Object.entries(floors).filter(([dir]) => {
        const store = /store-([a-z]+)/.exec(dir)?.[1];
        return store === undefined || only.includes(store);
      }),
    ),
  };
}

const config: Config = {
  projects: [
    {
      displayName: 'authmount',
      testEnvironment: 'node',
      roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
      testMatch: ['**/test/**/*.test.ts'],
      transform,
      moduleNameMapper: workspaces,
      // A store whose server is absent (outside CI) is reported as skipped, with its reason (test-support/stores.ts).
      setupFilesAfterEnv: ['<rootDir>/test-support/jest-setup.ts'],
    },
    {
      // The Redis store develops against ioredis 6 and supports ^5 too (its peer range): the conformance
      // suite, the options/connection tests and the outage test run again on ioredis 5 (the `ioredis5`
      // dev dependency, an npm alias), as Express 4 is tested through `express4`.
      displayName: 'ioredis5',
      testEnvironment: 'node',
      roots: ['<rootDir>/packages/store-redis'],
      testMatch: ['**/test/conformance-single.test.ts', '**/test/options.test.ts', '**/test/outage.test.ts'],
      transform,
      moduleNameMapper: {
        '^ioredis$': '<rootDir>/node_modules/ioredis5',
        '^ioredis/package.json$': '<rootDir>/node_modules/ioredis5/package.json',
        ...workspaces,
      },
      setupFiles: ['<rootDir>/test-support/ioredis5.ts'],
      setupFilesAfterEnv: ['<rootDir>/test-support/jest-setup.ts'],
    },
  ],
  testTimeout: 30000,
  // Coverage of the published sources, per package. `npm test` runs jest --coverage, so these floors are in
  // force on every full run: each is what the suite reached on 2026-12-03 (npm run coverage, scripts/
  // coverage-summary.mjs), rounded down after keeping half a point for run-to-run variation (retry and
  // reconnect branches of the store tests depend on timing). Raise a floor when the suite goes up; never lower it.
  // A run narrowed with AUTHMOUNT_TEST_STORES drops the floors of the stores it leaves out.
  collectCoverageFrom: ['packages/*/src/**/*.ts', '!**/*.d.ts'],
  coverageThreshold: withoutUnselectedStores({
    './packages/cb-token/src/': { lines: 97, statements: 97, functions: 93, branches: 90 },
    './packages/core/src/': { lines: 97, statements: 97, functions: 97, branches: 95 },
    './packages/express/src/': { lines: 99, statements: 99, functions: 88, branches: 92 },
    './packages/pcloud/src/': { lines: 98, statements: 98, functions: 92, branches: 93 },
    './packages/store-memory/src/': { lines: 99, statements: 99, functions: 98, branches: 95 },
    './packages/store-postgres/src/': { lines: 97, statements: 97, functions: 94, branches: 85 },
    './packages/store-redis/src/': { lines: 97, statements: 97, functions: 97, branches: 89 },
    './packages/x-auth-bearer/src/': { lines: 98, statements: 98, functions: 92, branches: 96 },
  }),
  coverageProvider: 'v8',
  coverageReporters: ['text-summary', 'json-summary', 'html'],
  // One shared Redis per run for the Redis store tests (REDIS_URL, or a redis-server started here), and
  // the shared PostgreSQL checked once (test-support/postgres.ts).
  globalSetup: '<rootDir>/test-support/global-setup.ts',
  globalTeardown: '<rootDir>/test-support/global-teardown.ts',
  // After a full run, every test docs/SECURITY.md cites must have run and passed (test-support/citations.js).
  reporters: ['default', '<rootDir>/test-support/summary-reporter.js', '<rootDir>/test-support/citations.js'],
};

export default config;
