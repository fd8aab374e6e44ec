// The security core under mutation testing, as groups: the source files Stryker mutates, and the test files
// that exercise them (only those run: a mutant of token-format.ts does not need the fuzz or SDK suites).
// A test file listed here must fail when the group's code is wrong; the dry run fails if one does not reach
// the code at all. Scope and reasons: docs/mutation.md. Lua scripts (store-redis scripts.ts) are not
// mutated: Stryker mutates TypeScript/JavaScript only, and a mutated string literal would only break the
// script's syntax; the Lua is covered by the conformance suite on Redis instead.
// `stores`: the testStores() entries the group's tests run on (AUTHMOUNT_TEST_STORES); code that behaves the
// same on every store is mutated against the memory store only, which halves each mutant's run.
const MEMORY = ['memory'];
export const GROUPS = {
  'token-format': {
    stores: MEMORY,
    mutate: ['packages/core/src/token-format.ts'],
    tests: ['packages/core/test/token-format.test.ts', 'packages/core/test/tokens.test.ts'],
  },
  replay: {
    stores: MEMORY,
    mutate: ['packages/core/src/replay.ts'],
    tests: ['packages/core/test/services.test.ts'],
  },
  'cb-signature': {
    stores: MEMORY,
    mutate: ['packages/cb-token/src/signature.ts'],
    tests: ['packages/cb-token/test/signature.test.ts', 'packages/cb-token/test/canonical.test.ts'],
  },
  'pcloud-digest': {
    stores: MEMORY,
    mutate: ['packages/pcloud/src/digest.ts'],
    tests: ['packages/pcloud/test/digest.test.ts', 'packages/pcloud/test/errors.test.ts'],
  },
  // The groups below are the rest of the scope; their test lists are first drafts, confirmed when they are
  // first run (issue 20, part 2).
  'token-service': {
    stores: MEMORY,
    mutate: ['packages/core/src/tokens.ts', 'packages/core/src/storable.ts'],
    tests: ['packages/core/test/token-service.test.ts', 'packages/core/test/tokens.test.ts', 'packages/core/test/model.property.test.ts'],
  },
  // Expiry and acceptance: isLive, the slide granularity, the filter every store applies (store.ts), the id
  // check and the issuer/kind/scope requirements (token-rules.ts).
  'token-rules': {
    stores: MEMORY,
    mutate: ['packages/core/src/store.ts', 'packages/core/src/token-rules.ts'],
    tests: [
      'packages/core/test/token-rules.test.ts',
      'packages/core/test/token-service.test.ts',
      'packages/core/test/tokens.test.ts',
      'packages/core/test/model.property.test.ts',
      'packages/store-memory/test/memory-store.test.ts',
    ],
  },
  throttle: {
    stores: MEMORY,
    mutate: ['packages/core/src/throttle.ts'],
    tests: ['packages/core/test/throttle.test.ts', 'packages/core/test/accounts.test.ts', 'packages/pcloud/test/throttle.test.ts'],
  },
  passwords: {
    stores: MEMORY,
    mutate: ['packages/core/src/passwords.ts', 'packages/core/src/password-policy/**/*.ts'],
    tests: [
      'packages/core/test/passwords.test.ts',
      'packages/core/test/password-predicates.test.ts',
      'packages/core/test/legacy-hashes.test.ts',
      'packages/core/test/accounts.test.ts',
      'packages/core/test/password-policy.test.ts',
    ],
  },
  'memory-store-tokens': {
    stores: MEMORY,
    mutate: ['packages/store-memory/src/tokens.ts', 'packages/store-memory/src/counters.ts'],
    tests: [
      'packages/store-memory/test/memory-store.test.ts',
      'packages/core/test/token-service.test.ts',
      'packages/core/test/tokens.test.ts',
      'packages/core/test/throttle.test.ts',
      'packages/core/test/model.property.test.ts',
    ],
  },
  'redis-store-tokens': {
    mutate: ['packages/store-redis/src/tokens.ts'],
    tests: [
      'packages/store-redis/test/conformance-single.test.ts',
      'packages/store-redis/test/index.test.ts',
      'packages/store-redis/test/options.test.ts',
    ],
  },
  'cb-app-auth': {
    stores: MEMORY,
    mutate: ['packages/cb-token/src/app-auth.ts'],
    tests: [
      'packages/cb-token/test/app-auth.test.ts',
      'packages/cb-token/test/session.test.ts',
      'packages/cb-token/test/canonical.test.ts',
      'packages/cb-token/test/lifecycle.test.ts',
    ],
  },
  'pcloud-oauth': {
    stores: MEMORY,
    mutate: [
      'packages/pcloud/src/oauth/grants.ts',
      'packages/pcloud/src/oauth/csrf.ts',
      'packages/pcloud/src/oauth/token-method.ts',
      'packages/pcloud/src/oauth/request.ts',
    ],
    tests: [
      'packages/pcloud/test/oauth-request.test.ts',
      'packages/pcloud/test/oauth-grants.test.ts',
      'packages/pcloud/test/oauth-token.test.ts',
      'packages/pcloud/test/oauth-authorize.test.ts',
      'packages/pcloud/test/oauth-poll.test.ts',
      'packages/pcloud/test/oauth-clients.test.ts',
      'packages/pcloud/test/issuers.test.ts',
    ],
  },
};

/** The fixed fast subset CI may run on every change (see .ci/run and docs/mutation.md). */
export const FAST_SUBSET = ['token-format', 'replay', 'cb-signature', 'pcloud-digest'];
