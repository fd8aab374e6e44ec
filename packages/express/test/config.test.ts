import { DAY, manualClock, nistPolicy } from '@authmount/core';
import { memoryStore } from '@authmount/store-memory';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import { AuthConfigError, createAuth, validateConfig, type AuthConfig } from '../src';

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
    ['an unknown throttle scope', { throttle: { user: false } }, 'throttle.user', /expected one of ip, account/],
    ['a tiny argon2 memoryCost', { hashing: { memoryCost: 4 } }, 'hashing.memoryCost', /at least 8/],
    ['memoryCost below 8 KiB per lane', { hashing: { memoryCost: 16, parallelism: 4 } }, 'hashing.memoryCost', /8 × parallelism/],
    ['a zero timeCost', { hashing: { timeCost: 0 } }, 'hashing.timeCost', /at least 1/],
    ['a pepper given as a string', { hashing: { pepper: 'my-pepper' } }, 'hashing.pepper', /expected a Buffer, received string/],
    ['maxConcurrent of 0', { hashing: { maxConcurrent: 0 } }, 'hashing.maxConcurrent', /at least 1/],
    ['a store that is not a store', { store: { name: 'mine' } }, 'store.tokens', /AuthStore tokens contract/],
    ['a store missing a method', { store: { ...fakeStore(), nonces: {} } }, 'store.nonces.putIfAbsent', /function/],
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
      hashing: { ...FAST_HASHING, maxConcurrent: 2, pepper: Buffer.from('pepper') },
      tokens: { absoluteTtl: DAY, idleTtl: DAY / 2, maxTtl: 30 * DAY },
      throttle: { ip: false as const, account: { limit: 5, windowMs: 60_000 } },
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
  });

  it.each(testStores())('accepts the $name store', async ({ make }) => {
    const clock = manualClock();
    const auth = createAuth({ store: make(clock), clock, hashing: FAST_HASHING });
    await auth.close();
  });
});

function fakeStore() {
  const f = async () => undefined;
  return {
    name: 'fake',
    tokens: { create: f, authenticate: f, peek: f, update: f, delete: f, listByUser: f, deleteByUser: f },
    users: { create: f, findById: f, findByLogin: f, findByEmail: f, update: f, delete: f },
    codes: { put: f, take: f },
    nonces: { putIfAbsent: f },
    counters: { increment: f, peek: f, reset: f },
    close: f,
  };
}
