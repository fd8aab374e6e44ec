import * as core from '@authmount/core';
import { DAY, manualClock, nistPolicy } from '@authmount/core';
import { memoryStore } from '@authmount/store-memory';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import * as expressPkg from '../src';
import { AuthConfigError, authRoutes, createAuth, validateConfig, type AuthConfig } from '../src';

/** The error createAuth throws for `config`, or fails the test if it does not throw. */
function rejection(config: unknown): AuthConfigError {
  try {
    createAuth(config as AuthConfig);
  } catch (e) {
    expect(e).toBeInstanceOf(AuthConfigError);
    return e as AuthConfigError;
  }
  throw new Error(`createAuth accepted ${JSON.stringify(config)}`);
}

describe('createAuth configuration validation', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a negative ttl', { tokens: { idleTtl: -5 } }, 'tokens.idleTtl', /positive integer number of milliseconds, received -5/],
    [
      'a ttl given as a string',
      { tokens: { absoluteTtl: '7d' } },
      'tokens.absoluteTtl',
      /positive integer number of milliseconds, received string/,
    ],
    ['a fractional ttl', { tokens: { maxTtl: 1.5 } }, 'tokens.maxTtl', /integer/],
    ['a typo in tokens', { tokens: { idleTTL: 1000 } }, 'tokens.idleTTL', /unknown option; expected one of absoluteTtl, idleTtl, maxTtl/],
    ['tokens that is not an object', { tokens: 5 }, 'tokens', /expected an object/],
    ['an unknown password policy', { passwordPolicy: 'strict' }, 'passwordPolicy', /'nist', 'pcloud' or a PasswordPolicy/],
    ['a policy object without validate', { passwordPolicy: { name: 'x', maxLength: 64 } }, 'passwordPolicy', /PasswordPolicy/],
    ['a throttle limit of 0', { throttle: { ip: { limit: 0, windowMs: 60_000 } } }, 'throttle.ip.limit', /positive integer, received 0/],
    ['a throttle rule of true', { throttle: { account: true } }, 'throttle.account', /expected false or \{ limit, windowMs \}/],
    [
      'a throttle rule typo',
      { throttle: { ip: { limit: 5, window: 1000 } } },
      'throttle.ip.window',
      /unknown option; expected one of limit, windowMs/,
    ],
    [
      'an unknown throttle scope',
      { throttle: { user: false } },
      'throttle.user',
      /expected one of pair, account, ip, signup, mailIp, mailAccount/,
    ],
    [
      'a typo in a mail budget',
      { throttle: { mailIp: { limit: 5, windowms: 1000 } } },
      'throttle.mailIp.windowms',
      /expected one of limit, windowMs/,
    ],
    ['a negative maxQueue', { hashing: { maxQueue: -1 } }, 'hashing.maxQueue', /false or an integer of at least 0/],
    ['maxQueue: true', { hashing: { maxQueue: true } }, 'hashing.maxQueue', /false or an integer of at least 0/],
    ['a tiny argon2 memoryCost', { hashing: { memoryCost: 4 } }, 'hashing.memoryCost', /at least 8/],
    ['memoryCost below 8 KiB per lane', { hashing: { memoryCost: 16, parallelism: 4 } }, 'hashing.memoryCost', /8 × parallelism/],
    ['a zero timeCost', { hashing: { timeCost: 0 } }, 'hashing.timeCost', /at least 1/],
    ['a pepper given as a string', { hashing: { pepper: 'my-pepper' } }, 'hashing.pepper', /expected a Buffer, received string/],
    ['maxConcurrent of 0', { hashing: { maxConcurrent: 0 } }, 'hashing.maxConcurrent', /at least 1/],
    ['a store that is not a store', { store: { name: 'mine' } }, 'store.tokens', /AuthStore tokens contract/],
    ['a store missing a method', { store: { ...fakeStore(), counters: {} } }, 'store.counters.reserve', /function/],
    ['a clock that is a number', { clock: Date.now() }, 'clock', /function returning epoch milliseconds/],
    ['extractors that are not functions', { extractors: ['authorization'] }, 'extractors.0', /extractor function/],
    ['a logger without warn', { logger: { info() {}, error() {} } }, 'logger.warn', /function/],
    ['a logger that is a function', { logger: () => undefined }, 'logger', /pino-compatible logger/],
    ['a top-level key in the wrong case', { passwordpolicy: 'nist' }, 'passwordpolicy', /did you mean "passwordPolicy"/],
    ['null', null, '(config)', /expected an options object/],
  ])('rejects %s at createAuth, naming the option', (_what, config, option, message) => {
    const err = rejection(config);
    const issue = err.issues.find((i) => i.option === option);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(message);
    expect(err.message).toContain(`${option}: `);
    expect(err.message).toMatch(/^Invalid authmount configuration \(createAuth\):/);
  });

  it('lists every problem at once', () => {
    const err = rejection({ tokens: { idleTtl: 0, absoluteTtl: -1 }, passwordPolicy: 'none' });
    expect(err.issues.map((i) => i.option).sort()).toEqual(['passwordPolicy', 'tokens.absoluteTtl', 'tokens.idleTtl']);
  });

  it('never echoes a string value (it could be a secret)', () => {
    const err = rejection({ hashing: { pepper: 'hunter2-pepper' }, passwordPolicy: 'hunter2-policy' });
    expect(err.message).not.toContain('hunter2');
  });

  it('accepts every valid option, and keys it does not know at the top level', async () => {
    const clock = manualClock();
    const config = {
      store: memoryStore({ clock, sweepIntervalMs: 0 }),
      clock,
      passwordPolicy: nistPolicy(),
      hashing: { ...FAST_HASHING, maxConcurrent: 2, maxQueue: 16, pepper: Buffer.from('pepper') },
      tokens: { absoluteTtl: DAY, idleTtl: DAY / 2, maxTtl: 30 * DAY },
      throttle: {
        pair: { limit: 3, windowMs: 60_000 },
        account: { limit: 5, windowMs: 60_000 },
        ip: false as const,
        signup: { limit: 1, windowMs: 1 },
        mailIp: false as const,
        mailAccount: { limit: 2, windowMs: 60_000 },
      },
      extractors: [(req: { headers: Record<string, unknown> }) => req.headers['x-token']],
      logger: { info() {}, warn() {}, error() {}, debug() {} },
      appName: 'mine', // an app's own setting carried in the same object
    };
    expect(() => validateConfig(config)).not.toThrow();
    const auth = createAuth(config);
    await auth.close();
    for (const passwordPolicy of ['nist', 'pcloud'] as const) expect(() => validateConfig({ passwordPolicy })).not.toThrow();
    expect(() => validateConfig({})).not.toThrow();
    expect(() => validateConfig({ throttle: { ip: false, account: false } })).not.toThrow();
    expect(() => validateConfig({ hashing: { maxQueue: false } })).not.toThrow();
    expect(() => validateConfig({ hashing: { maxQueue: 0 } })).not.toThrow();
  });

  it.each(testStores())('accepts the $name store', async ({ make }) => {
    const clock = manualClock();
    const store = make(clock);
    const auth = createAuth({ store, clock, hashing: FAST_HASHING });
    try {
      const { token, info } = await auth.tokens.issue({ userId: 3 });
      expect((await auth.authenticate(token)).userId).toBe(3);
      // used as given, not replaced by the default memory store: the token is in the store passed
      expect((await store.tokens.peek(info.id, clock()))?.userId).toBe(3);
    } finally {
      await auth.close();
    }
  });
});

function fakeStore() {
  const f = async () => undefined;
  return {
    name: 'fake',
    tokens: { create: f, authenticate: f, peek: f, update: f, delete: f, listByUser: f, deleteByUser: f },
    users: { create: f, findById: f, findByLogin: f, findByEmail: f, update: f, delete: f },
    codes: { put: f, take: f },
    counters: { increment: f, peek: f, reserve: f, settle: f },
    close: f,
  };
}

describe('requireAuth, optionalAuth and authRoutes check their options at start-up', () => {
  const auth = createAuth({ hashing: FAST_HASHING });
  afterAll(() => auth.close());

  /** The ConfigError `make()` throws, or a test failure when it throws nothing. */
  function refused(make: () => unknown): AuthConfigError {
    try {
      make();
    } catch (e) {
      expect(e).toBeInstanceOf(AuthConfigError);
      return e as AuthConfigError;
    }
    throw new Error('accepted');
  }

  it.each<[string, () => unknown, string, string, RegExp]>([
    // Used to be accepted: every request then got 403 with "missing":"r" (the string was read letter by letter).
    [
      'requireAuth({ scopes: "read" })',
      () => auth.requireAuth({ scopes: 'read' } as never),
      'requireAuth',
      'scopes',
      /expected an array of scope names, received string/,
    ],
    [
      'requireAuth({ kinds: ["admin"] })',
      () => auth.requireAuth({ kinds: ['admin'] } as never),
      'requireAuth',
      'kinds.0',
      /'user', 'app' or 'guest'/,
    ],
    [
      'optionalAuth({ scope: [...] })',
      () => auth.optionalAuth({ scope: ['read'] } as never),
      'optionalAuth',
      'scope',
      /did you mean "scopes"/,
    ],
    ['requireAuth({ onError: 1 })', () => auth.requireAuth({ onError: 1 } as never), 'requireAuth', 'onError', /function/],
    // Used to be accepted: every login then answered 400 invalid_request, blaming the client.
    [
      'authRoutes(auth, { idleTtl: "1h" })',
      () => authRoutes(auth, { idleTtl: '1h' } as never),
      'authRoutes',
      'idleTtl',
      /positive integer number of milliseconds, received string/,
    ],
    [
      'authRoutes(auth, { absoluteTTL })',
      () => authRoutes(auth, { absoluteTTL: 1000 } as never),
      'authRoutes',
      'absoluteTTL',
      /did you mean "absoluteTtl"/,
    ],
  ])('%s fails at once, naming the option', (_what, make, factory, option, message) => {
    const err = refused(make);
    expect(err.factory).toBe(factory);
    expect(err.message).toMatch(new RegExp(`^Invalid authmount configuration \\(${factory}\\):\\n  - ${option.replace('.', '\\.')}: `));
    expect(err.issues.find((i) => i.option === option)?.message).toMatch(message);
  });

  it('accepts undefined for every optional option (exactOptionalPropertyTypes users pass env values)', () => {
    const env: Record<string, string | undefined> = {};
    expect(() => auth.requireAuth({ scopes: undefined, kinds: undefined, extractors: undefined, onError: undefined })).not.toThrow();
    expect(() => authRoutes(auth, { idleTtl: env.IDLE ? Number(env.IDLE) : undefined, absoluteTtl: undefined })).not.toThrow();
  });
});

describe('one toolkit, one error type', () => {
  it('AuthConfigError is core’s ConfigError, and the helpers an app needs come from @authmount/express too', () => {
    expect(AuthConfigError).toBe(core.ConfigError);
    for (const name of [
      'AuthError',
      'ConfigError',
      'composePolicy',
      'nistPolicy',
      'pcloudPolicy',
      'rules',
      'manualClock',
      'isAuthError',
      'DAY',
    ] as const) {
      expect([name, (expressPkg as Record<string, unknown>)[name]]).toEqual([name, (core as Record<string, unknown>)[name]]);
    }
  });

  it('auth.ready() resolves at once on the memory store', async () => {
    const auth = createAuth({ hashing: FAST_HASHING });
    await expect(auth.ready()).resolves.toBeUndefined();
    await auth.close();
  });
});
