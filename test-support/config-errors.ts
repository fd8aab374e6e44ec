import { ConfigError } from '@authmount/core';

/**
 * Runs a factory that must refuse its options: asserts it threw a ConfigError whose message names `factory` in
 * the one format every factory shares, and returns it. Fails the test if the factory accepted them.
 */
export function refusedConfig(make: () => unknown, factory: string): ConfigError {
  try {
    make();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(new RegExp(`^Invalid authmount configuration \\(${factory.replace(/[().]/g, '\\$&')}\\):`));
    return e as ConfigError;
  }
  throw new Error('accepted');
}

/** The message of the issue a ConfigError reports for `option` (a dotted path), if any. */
export const issueFor = (e: ConfigError, option: string): string | undefined => e.issues.find((i) => i.option === option)?.message;
