import { ConfigError, option, validateOptions, z } from '@authmount/core';

function refused(schema: z.ZodType, value: unknown, factory = 'myFactory'): ConfigError {
  try {
    validateOptions(schema, value, factory);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(TypeError); // what the factories threw before: `catch (e instanceof TypeError)` keeps working
    return e as ConfigError;
  }
  throw new Error('accepted');
}

describe('validateOptions (the toolkit every factory uses)', () => {
  const schema = z.strictObject({
    url: z.string({ error: 'expected a URL' }).optional(),
    timeoutMs: option.milliseconds().optional(),
    nested: z.strictObject({ idleTtl: option.milliseconds().optional() }).optional(),
    rule: option.throttleRule().optional(),
  });

  it('lists every problem, each under its option path, in one message naming the factory', () => {
    const err = refused(schema, { timeoutMs: -5, nested: { idleTtl: 1.5 }, urll: 'x' });
    expect(err.factory).toBe('myFactory');
    expect(err.issues).toEqual([
      { option: 'timeoutMs', message: 'expected a positive integer number of milliseconds, received -5' },
      { option: 'nested.idleTtl', message: 'expected a positive integer number of milliseconds, received 1.5' },
      { option: 'urll', message: 'unknown option; expected one of url, timeoutMs, nested, rule (did you mean "url"?)' },
    ]);
    expect(err.message).toBe(
      [
        'Invalid authmount configuration (myFactory):',
        '  - timeoutMs: expected a positive integer number of milliseconds, received -5',
        '  - nested.idleTtl: expected a positive integer number of milliseconds, received 1.5',
        '  - urll: unknown option; expected one of url, timeoutMs, nested, rule (did you mean "url"?)',
      ].join('\n'),
    );
  });

  it('names typos: another case, a swap, a letter more or less; nothing when no key is close', () => {
    expect(refused(schema, { TimeoutMS: 5 }).issues[0].message).toMatch(/did you mean "timeoutMs"/);
    expect(refused(schema, { nested: { idelTtl: 5 } }).issues[0]).toEqual({
      option: 'nested.idelTtl',
      message: 'unknown option; expected one of idleTtl (did you mean "idleTtl"?)',
    });
    expect(refused(schema, { timeoutM: 5 }).issues[0].message).toMatch(/did you mean "timeoutMs"/);
    expect(refused(schema, { colour: 'red' }).issues[0].message).toBe('unknown option; expected one of url, timeoutMs, nested, rule');
  });

  it('never echoes a string (it could be a password or a URL with one): numbers and booleans only', () => {
    const err = refused(schema, { url: 5, timeoutMs: 'hunter2', rule: true });
    expect(err.message).not.toContain('hunter2');
    expect(err.issues.map((i) => i.message)).toEqual([
      'expected a URL, received 5',
      'expected a positive integer number of milliseconds, received string',
      'expected false or { limit, windowMs }, received true',
    ]);
  });

  it('reports the union branch that got furthest (a bad windowMs, not "false or ...")', () => {
    expect(refused(schema, { rule: { limit: 5, windowMs: 0 } }).issues).toEqual([
      { option: 'rule.windowMs', message: 'expected a positive integer number of milliseconds, received 0' },
    ]);
  });

  it('loose objects accept unknown keys but name one that differs from an option only by case', () => {
    const loose = z.looseObject({ passwordPolicy: z.string().optional() });
    expect(() => validateOptions(loose, { appName: 'mine' }, 'f')).not.toThrow();
    expect(refused(loose, { passwordpolicy: 'nist' }).issues).toEqual([
      { option: 'passwordpolicy', message: 'unknown option; did you mean "passwordPolicy"?' },
    ]);
  });

  it('refuses a non-object and accepts undefined values of optional options', () => {
    expect(refused(schema, null).issues[0].option).toBe('(config)');
    expect(() => validateOptions(schema, { url: undefined, timeoutMs: undefined, nested: { idleTtl: undefined } }, 'f')).not.toThrow();
  });
});
