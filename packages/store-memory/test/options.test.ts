import { ConfigError } from '@authmount/core';
import { memoryStore, type MemoryStoreOptions } from '@authmount/store-memory';

describe('memoryStore options are checked at construction (same format as createAuth)', () => {
  it.each<[string, unknown, string, RegExp]>([
    [
      'a typo',
      { maxEntrys: 10 },
      'maxEntrys',
      /unknown option; expected one of maxEntries, sweepIntervalMs, clock \(did you mean "maxEntries"\?\)/,
    ],
    ['a capacity of 0', { maxEntries: 0 }, 'maxEntries', /positive integer .*received 0/],
    ['an interval given as text', { sweepIntervalMs: '1m' }, 'sweepIntervalMs', /milliseconds, 0 for no timer, received string/],
    ['a clock that is a number', { clock: 5 }, 'clock', /function returning epoch milliseconds, received 5/],
  ])('rejects %s, naming the option', (_what, options, option, message) => {
    let err: unknown;
    try {
      memoryStore(options as MemoryStoreOptions);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^Invalid authmount configuration \(memoryStore\):/);
    expect((err as ConfigError).issues.find((i) => i.option === option)?.message).toMatch(message);
  });

  it('accepts undefined for every option, and is ready at once', async () => {
    const store = memoryStore({ maxEntries: undefined, sweepIntervalMs: undefined, clock: undefined });
    await expect(store.ready()).resolves.toBeUndefined();
    await store.close();
  });
});
