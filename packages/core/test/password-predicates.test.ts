import fc from 'fast-check';
import { composePolicy, nistPolicy, pcloudPolicy, resolvePolicy, rules, type PasswordPolicy } from '../src';
import { contextWords, isAlphabetOrDigitRun, isRepetition } from '../src/password-policy/predicates';
import { countCodePoints, exceedsCodePoints } from '../src/password-policy/text';

// The password policy's building blocks, each against a reference written the slow, obvious way (code
// points by the string iterator, periods by brute force) and at their edges: the surrogate ranges, runs
// bordered by the characters just outside a-z and 0-9, words of exactly 3 characters.
// password-policy.test.ts checks the profiles as users meet them.

const unit = fc.oneof(fc.integer({ min: 0xd7f0, max: 0xe00f }), fc.constantFrom(0x61, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000));
const utf16 = fc.array(unit, { maxLength: 12 }).map((units) => String.fromCharCode(...units));

describe('countCodePoints and exceedsCodePoints', () => {
  it('count what the string iterator counts: a pair once, a lone surrogate once', () => {
    fc.assert(fc.property(utf16, (s) => countCodePoints(s) === [...s].length));
    expect(countCodePoints('😀😀')).toBe(2);
    expect(countCodePoints('\uDBFF\uDFFF')).toBe(1);
    expect(countCodePoints('\uD800\uDC00')).toBe(1);
    expect(countCodePoints('\uD7FF\uDC00')).toBe(2);
    expect(countCodePoints('\uD800\uE000')).toBe(2);
    expect(countCodePoints('\uDC00\uDC00')).toBe(2);
    expect(countCodePoints('\uDC00')).toBe(1);
  });

  it('exceeds iff there are more code points than the limit, whatever the UTF-16 length', () => {
    fc.assert(fc.property(utf16, fc.integer({ min: 1, max: 14 }), (s, max) => exceedsCodePoints(s, max) === [...s].length > max));
    expect(exceedsCodePoints('😀😀', 2)).toBe(false);
    expect(exceedsCodePoints('😀😀😀', 2)).toBe(true);
    expect(exceedsCodePoints('abc', 2)).toBe(true);
    expect(exceedsCodePoints('ab', 2)).toBe(false);
  });
});

describe('isAlphabetOrDigitRun', () => {
  const run = (s: string) => isAlphabetOrDigitRun([...s]);

  it('is one run of a-z or 0-9, step +1 or -1', () => {
    for (const s of ['ab', 'ba', 'abcdef', 'zyxw', '01', '98765', '0123456789']) expect([s, run(s)]).toEqual([s, true]);
    for (const s of ['', 'a', 'aa', 'ac', 'abd', 'abcb', 'yza', '89ab', '9:', 'AB']) expect([s, run(s)]).toEqual([s, false]);
  });

  it('stops at the characters just outside a-z and 0-9 (` before a, { after z, / before 0, : after 9)', () => {
    for (const s of ['`abc', 'xyz{', '/012', '789:', '`a', 'z{', '{zyx', ':987']) expect([s, run(s)]).toEqual([s, false]);
  });

  it('through the rules: a run of exactly minRun is reported, one shorter is not', () => {
    expect(rules.notOnlySequential(2).check('ab', {})?.code).toBe('only_sequential');
    expect(rules.notOnlySequential(3).check('ab', {})).toBeNull();
    expect(rules.notOnlySequential().check('abcd', {})?.code).toBe('only_sequential');
    expect(rules.notOnlySequential().check('abc', {})).toBeNull();
  });

  it('a digit run is only_sequential, never also only_keyboard_run', () => {
    expect(rules.notOnlyKeyboardRun().check('1234', {})).toBeNull();
    expect(rules.notOnlyKeyboardRun().check('7890', {})?.code).toBe('only_keyboard_run');
    expect(
      nistPolicy({ minLength: 8 })
        .validate('123456789')
        .map((v) => v.code),
    ).toEqual(['common_password', 'only_sequential']);
  });
});

describe('isRepetition', () => {
  /** The obvious definition: a unit of 1–4 code points (or a blocklisted one) repeated at least twice. */
  function naive(s: string, blocklist: ReadonlySet<string>): boolean {
    const c = [...s];
    for (let p = 1; p < c.length; p++) {
      if (c.length % p !== 0) continue;
      const unitText = c.slice(0, p).join('');
      if (unitText.repeat(c.length / p) === s) return p <= 4 || blocklist.has(unitText);
    }
    return false;
  }

  it('agrees with the obvious definition on short strings over a small alphabet', () => {
    const blocklist = new Set(['abcab', 'abcba', 'aabba']);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 15 }), (chars) => {
        const s = chars.join('');
        return isRepetition(chars, blocklist) === naive(s, blocklist);
      }),
      { numRuns: 2000 },
    );
  });

  it('at the edges: two characters, a unit of exactly 4 and of 5, a near-period', () => {
    const none = new Set<string>();
    expect(isRepetition([...'aa'], none)).toBe(true);
    expect(isRepetition([...'a'], none)).toBe(false);
    expect(isRepetition([...'ab'], none)).toBe(false);
    expect(isRepetition([...'abcdabcd'], none)).toBe(true);
    expect(isRepetition([...'abcdeabcde'], none)).toBe(false);
    expect(isRepetition([...'abcdeabcde'], new Set(['abcde']))).toBe(true);
    expect(isRepetition([...'abcab'], none)).toBe(false);
    expect(isRepetition([...'abcd'], none)).toBe(false);
    expect(rules.notCommon([]).check('zz', {})?.code).toBe('common_password');
  });
});

describe('contextWords', () => {
  it('takes each value whole, without any separator, and word by word; words of 3 code points count, of 2 not', () => {
    expect(contextWords({ login: 'j.r.smith' })).toEqual(['j.r.smith', 'jrsmith', 'smith']);
    expect(contextWords({ login: '  Bob  ' })).toEqual(['bob']);
    expect(contextWords({ login: 'al_x' })).toEqual(['al_x', 'alx']);
    expect(contextWords({ login: 'ab' })).toEqual([]);
    expect(contextWords({ login: 'a+b@c-d e' })).toEqual(['a+b@c-d e', 'abcde']);
  });

  it('splits names and the service name at spaces and punctuation, not at letters', () => {
    expect(contextWords({ name: ' Ann-Marie  O’Neil ' })).toEqual(['ann-marie  o’neil', 'annmarieoneil', 'ann', 'marie', 'neil']);
    expect(contextWords({ serviceName: 'Acme, Inc.' })).toEqual(['acme, inc.', 'acmeinc', 'acme', 'inc']);
  });

  it('takes the e-mail whole and its local part by its own separators; no @ means no local part', () => {
    expect(contextWords({ email: ' Jane.Doe+news@Example.com ' })).toEqual([
      'jane.doe+news@example.com',
      'jane.doe+news',
      'janedoenews',
      'jane',
      'doe',
      'news',
    ]);
    expect(contextWords({ email: 'alicesmith' })).toEqual(['alicesmith']);
    expect(contextWords({ email: '@example.com' })).toEqual(['@example.com']);
  });

  it('finds a context word hidden behind a second separator', () => {
    const policy = nistPolicy({ minLength: 8 });
    expect(policy.validate('jrsmith!!2024', { login: 'j.r.smith' }).map((v) => v.code)).toEqual(['context_word']);
  });
});

describe('messages, limits and profiles', () => {
  it('speak of one character in the singular', () => {
    expect(rules.minLength(1).check('', {})?.message).toBe('Password must be at least 1 character.');
    expect(rules.minLength(2).check('a', {})?.message).toBe('Password must be at least 2 characters.');
    expect(rules.minDistinct(1).check('', {})?.message).toBe('Password must contain at least 1 different character.');
    expect(rules.maxLength(1).check('ab', {})?.message).toBe('Password must be at most 1 character.');
  });

  it('name the option and its floor when an argument is refused', () => {
    expect(() => rules.minLength(0)).toThrow(new RangeError('minLength must be an integer >= 1, got 0'));
    expect(() => rules.maxLength(1.5)).toThrow(new RangeError('maxLength must be an integer >= 1, got 1.5'));
    expect(() => rules.minDistinct(0)).toThrow(new RangeError('minDistinct must be an integer >= 1, got 0'));
    expect(() => rules.notOnlySequential(1)).toThrow(new RangeError('minRun must be an integer >= 2, got 1'));
    expect(() => rules.notOnlyKeyboardRun(1)).toThrow(new RangeError('minRun must be an integer >= 2, got 1'));
    expect(() => composePolicy('x', [], { maxLength: 0 })).toThrow(new RangeError('maxLength must be an integer >= 1, got 0'));
    // The floor itself is allowed.
    expect(rules.minLength(1).code).toBe('too_short');
    expect(rules.notOnlySequential(2).code).toBe('only_sequential');
  });

  it('nist: minLength may equal maxLength, not exceed it', () => {
    expect(nistPolicy({ minLength: 64, maxLength: 64 }).maxLength).toBe(64);
    expect(() => nistPolicy({ minLength: 65, maxLength: 64 })).toThrow(RangeError);
  });

  it('adds too_long to the cheap rules it still runs on huge input, first', () => {
    const policy = composePolicy('edges', [rules.noEdgeWhitespace()], { maxLength: 10 });
    expect(policy.validate(` ${'x'.repeat(20)}`).map((v) => v.code)).toEqual(['too_long', 'edge_whitespace']);
  });

  it('leaves keyboard runs shorter than minRun alone', () => {
    expect(rules.notOnlyKeyboardRun().check('qwe', {})).toBeNull();
    expect(rules.notOnlyKeyboardRun().check('qwer', {})?.code).toBe('only_keyboard_run');
    expect(rules.notOnlyKeyboardRun(2).check('qw', {})?.code).toBe('only_keyboard_run');
  });

  it('reports too_long once, whether or not the list has its own maxLength rule', () => {
    expect(
      pcloudPolicy()
        .validate('x'.repeat(500))
        .map((v) => v.code),
    ).toEqual(['too_long']);
    expect(
      composePolicy('bare', [], { maxLength: 10 })
        .validate('x'.repeat(11))
        .map((v) => v.code),
    ).toEqual(['too_long']);
  });

  it('resolvePolicy takes only an object with validate, name and an integer maxLength', () => {
    const good: PasswordPolicy = { name: 'mine', maxLength: 10, validate: () => [] };
    expect(resolvePolicy(good)).toBe(good);
    // A function carrying the same properties is no policy object.
    const fn = Object.assign(() => [], { validate: () => [], maxLength: 10 }); // and a string `name`, as every function
    expect(() => resolvePolicy(fn as never)).toThrow(/^resolvePolicy: unknown password policy/);
    const refused = /^resolvePolicy: unknown password policy/;
    for (const bad of [
      null,
      42,
      'strict',
      { name: 'mine', maxLength: 10 },
      { validate: () => [], maxLength: 10 },
      { validate: () => [], name: 'mine' },
      { validate: () => [], name: 'mine', maxLength: 1.5 },
    ]) {
      expect(() => resolvePolicy(bad as never)).toThrow(refused);
    }
  });
});
