// setupFiles of the `ioredis5` jest project (jest.config.ts): tests that start child processes (the
// outage test's server) pass this on, so the child loads ioredis 5 too (test-support/ioredis5-alias.cjs).
process.env.AUTHMOUNT_TEST_IOREDIS = 'ioredis5';
