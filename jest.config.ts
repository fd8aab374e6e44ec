import type { Config } from 'jest';

// Type checking is done once by `tsc --noEmit` (npm test runs it first), so ts-jest only
// transpiles: that keeps the suite fast and the two concerns separate.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  moduleNameMapper: {
    '^@authmount/([^/]+)$': '<rootDir>/packages/$1/src',
    '^@authmount/([^/]+)/(.+)$': '<rootDir>/packages/$1/src/$2',
  },
  testTimeout: 30000,
  // One shared Redis per run for the Redis store tests (REDIS_URL, or a redis-server started here).
  globalSetup: '<rootDir>/test-support/redis-global-setup.ts',
  globalTeardown: '<rootDir>/test-support/redis-global-teardown.ts',
  reporters: ['default', '<rootDir>/test-support/summary-reporter.js'],
};

export default config;
