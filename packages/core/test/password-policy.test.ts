import {
  composePolicy,
  nistPolicy,
  pcloudPolicy,
  resolvePolicy,
  rules,
  type PasswordPolicy,
  type PasswordRule,
  type PolicyRuleCode,
  type PolicyViolation,
} from '../src/password-policy';
import { COMMON_PASSWORDS } from '../src/data/common-passwords';

const codes = (violations: PolicyViolation[]): PolicyRuleCode[] => violations.map((v) => v.code);

const PCLOUD = {
  tooShort: 'Password too short. Minimum length is 6 characters.',
  edge: 'Password can not start or end with space.',
  distinct: 'Password does not contain enough different characters. The minimum is 4.',
  consecutive: 'Password can not contain only consecutive characters.',
};

describe('pcloudPolicy: every example of the changepassword docs', () => {
  const policy = pcloudPolicy();

  it('is named pcloud and bounds length at 128', () => {
    expect(policy.name).toBe('pcloud');
    expect(policy.maxLength).toBe(128);
  });

  it.each(['abcdef', '123456', '987654'])('rejects all-consecutive %s as only_sequential (2035)', (pw) => {
    expect(policy.validate(pw)).toEqual([{ code: 'only_sequential', message: PCLOUD.consecutive }]);
  });

  it.each(['qwerty', 'poiuyt'])('rejects keyboard row %s as only_keyboard_run (2035)', (pw) => {
    expect(policy.validate(pw)).toEqual([{ code: 'only_keyboard_run', message: PCLOUD.consecutive }]);
  });

  it('rejects a 5-character password as too_short (2032)', () => {
    expect(policy.validate('x7#kQ')).toEqual([{ code: 'too_short', message: PCLOUD.tooShort }]);
  });

  it('accepts a 6-character password with 4+ different characters', () => {
    expect(policy.validate('x7#kQz')).toEqual([]);
  });

  it.each(['aaaaaaa', 'aabbaabb'])('rejects %s (fewer than 4 different characters) as too_few_distinct (2034)', (pw) => {
    expect(policy.validate(pw)).toEqual([{ code: 'too_few_distinct', message: PCLOUD.distinct }]);
  });

  it.each([' secret1', 'secret1 ', '\tsecret1', 'secret1\u00a0', '\u3000secret1'])(
    'rejects edge whitespace in %j as edge_whitespace (2033)',
    (pw) => {
      expect(policy.validate(pw)).toEqual([{ code: 'edge_whitespace', message: PCLOUD.edge }]);
    },
  );

  it('allows whitespace inside the password', () => {
    expect(policy.validate('sec ret1')).toEqual([]);
  });

  it('accepts a good password', () => {
    expect(policy.validate('Tr0ub4dor&3')).toEqual([]);
  });

  it('reports several violations at once, in rule order', () => {
    expect(policy.validate('abc')).toEqual([
      { code: 'too_short', message: PCLOUD.tooShort },
      { code: 'too_few_distinct', message: PCLOUD.distinct },
    ]);
    expect(codes(policy.validate(' aa '))).toEqual(['too_short', 'edge_whitespace', 'too_few_distinct']);
    expect(codes(policy.validate('abcd'))).toEqual(['too_short', 'only_sequential']);
  });

  it('decides the cases the docs leave open', () => {
    expect(codes(policy.validate('abcdefgh'))).toEqual(['only_sequential']); // longer runs too
    expect(policy.validate('abcxyz')).toEqual([]); // two runs: not ALL consecutive
    expect(codes(policy.validate('ABCDEF'))).toEqual(['only_sequential']); // case-insensitive
    expect(codes(policy.validate('QWERTY'))).toEqual(['only_keyboard_run']);
    expect(codes(policy.validate('zyxwvu'))).toEqual(['only_sequential']);
    expect(codes(policy.validate('asdfgh'))).toEqual(['only_keyboard_run']);
    expect(codes(policy.validate('zxcvbn'))).toEqual(['only_keyboard_run']);
    expect(codes(policy.validate('567890'))).toEqual(['only_keyboard_run']); // number row through 0
    expect(policy.validate('qwerty1')).toEqual([]); // not ONLY a row
  });

  it('counts code points, not UTF-16 units', () => {
    expect(codes(policy.validate('😀😁😂😃😄'))).toEqual(['too_short']); // 5 chars, 10 units
    expect(policy.validate('😀😁😂😃😄😅')).toEqual([]);
  });

  it('rejects 129 characters as too_long and accepts 128', () => {
    expect(policy.validate('x7#kQz'.repeat(21) + 'ab')).toEqual([]); // 128
    expect(policy.validate('x7#kQz'.repeat(21) + 'abc')).toEqual([
      { code: 'too_long', message: 'Password must be at most 128 characters.' },
    ]);
  });
});

describe('non-string input', () => {
  it.each([
    ['number', 123456],
    ['array', ['a']],
    ['object', { password: 'x' }],
    ['null', null],
    ['undefined', undefined],
    ['boolean', true],
    ['bigint', BigInt(1)],
    ['symbol', Symbol('pw')],
  ])('%s → exactly [not_string], for every profile', (_label, input) => {
    for (const policy of [pcloudPolicy(), nistPolicy()]) {
      expect(policy.validate(input)).toEqual([{ code: 'not_string', message: 'Password must be a string.' }]);
    }
  });

  it('tolerates a garbage context object', () => {
    const policy = nistPolicy();
    expect(() => policy.validate('a sufficiently long passphrase', 42 as never)).not.toThrow();
    expect(() => policy.validate('a sufficiently long passphrase', { login: 7 } as never)).not.toThrow();
    expect(() => policy.validate('a sufficiently long passphrase', null as never)).not.toThrow();
  });
});

describe('huge input', () => {
  const huge = 'a'.repeat(1024 * 1024);

  it.each([
    ['nist', nistPolicy()],
    ['pcloud', pcloudPolicy()],
  ])('%s: a 1 MB string is only too_long (the expensive rules do not run)', (_name, policy) => {
    const result = policy.validate(huge);
    expect(result).toEqual([{ code: 'too_long', message: 'Password must be at most 128 characters.' }]);
  });

  it('still reports the cheap edge_whitespace rule on a huge string', () => {
    expect(codes(pcloudPolicy().validate(` ${huge}`))).toEqual(['too_long', 'edge_whitespace']);
  });

  it('a huge string of astral characters is too_long too', () => {
    expect(codes(nistPolicy().validate('😀'.repeat(200_000)))).toEqual(['too_long']);
  });
});

describe('nistPolicy', () => {
  const policy = nistPolicy();

  it('defaults: minLength 15, maxLength 128', () => {
    expect(policy.name).toBe('nist');
    expect(policy.maxLength).toBe(128);
    expect(policy.validate('mauve kettle sp')).toEqual([]); // 15
    expect(policy.validate('mauve kettle s')).toEqual([{ code: 'too_short', message: 'Password must be at least 15 characters.' }]); // 14
  });

  it('15 characters are rejected when blocklisted', () => {
    expect(codes(policy.validate('123456789012345'))).toEqual(['common_password']);
    expect(codes(policy.validate('qwertyuiopasdfg'))).toEqual(['common_password']);
  });

  it('custom minLength 8: 7 rejected, 8 accepted', () => {
    const p8 = nistPolicy({ minLength: 8 });
    expect(codes(p8.validate('mauvek7'))).toEqual(['too_short']);
    expect(p8.validate('mauvek7t')).toEqual([]);
    expect(p8.validate('mauvek7')[0].message).toBe('Password must be at least 8 characters.');
  });

  it('8 is the floor of minLength; 64 is the floor of maxLength', () => {
    expect(() => nistPolicy({ minLength: 7 })).toThrow(/minLength.*8/);
    expect(() => nistPolicy({ maxLength: 63 })).toThrow(/maxLength.*64/);
    expect(() => nistPolicy({ minLength: 8.5 })).toThrow();
    expect(() => nistPolicy({ minLength: 100, maxLength: 64 })).toThrow(/exceed/);
    expect(() => nistPolicy({ maxLength: 64 })).not.toThrow();
  });

  it('64 and 128 characters accepted, 129 rejected', () => {
    const p64 = nistPolicy({ maxLength: 64 });
    const sixtyFour = 'correct horse battery staple '.repeat(3).slice(0, 64);
    expect(p64.validate(sixtyFour)).toEqual([]);
    expect(codes(p64.validate(sixtyFour + 'x'))).toEqual(['too_long']);
    const long = 'Tr0ub4dor&3 mauve kettle '.repeat(6).slice(0, 128);
    expect([...long]).toHaveLength(128);
    expect(policy.validate(long)).toEqual([]);
    expect(policy.validate(long + 'x')).toEqual([{ code: 'too_long', message: 'Password must be at most 128 characters.' }]);
  });

  it.each(['password', '12345678', 'qwertyuiop', 'iloveyou', 'Password1', 'P@ssw0rd', 'trustno1', 'Summer2024!'])(
    'rejects common %s (minLength 8)',
    (pw) => {
      expect(codes(nistPolicy({ minLength: 8 }).validate(pw))).toContain('common_password');
    },
  );

  it('has no composition rules: passphrases pass', () => {
    expect(policy.validate('correct horse battery staple')).toEqual([]);
    expect(policy.validate('alllowercaseletters')).toEqual([]);
  });

  it('allows leading and trailing spaces', () => {
    expect(policy.validate(' correct horse battery staple ')).toEqual([]);
  });

  it('rejects a single repeated character and short repeated units as common', () => {
    expect(policy.validate('aaaaaaaaaaaaaaaa')).toEqual([
      { code: 'common_password', message: 'Password is too common or too easy to guess.' },
    ]);
    expect(codes(policy.validate('abababababababab'))).toEqual(['common_password']);
    expect(codes(policy.validate('abcdabcdabcdabcd'))).toEqual(['common_password']);
    expect(codes(nistPolicy({ minLength: 8 }).validate('monkeymonkey'))).toEqual(['common_password']);
  });

  it('rejects all-sequential and all-keyboard-row passwords', () => {
    expect(codes(policy.validate('abcdefghijklmnopq'))).toContain('only_sequential');
    expect(codes(policy.validate('ZYXWVUTSRQPONMLK'))).toContain('only_sequential');
    const noBlocklist = nistPolicy({ minLength: 8, blocklist: [] });
    expect(codes(noBlocklist.validate('poiuytrewq'))).toEqual(['only_keyboard_run']);
    expect(codes(noBlocklist.validate('98765432'))).toEqual(['only_sequential']);
  });

  it('NFKC: fullwidth characters are compared as their ASCII forms', () => {
    expect(codes(nistPolicy({ minLength: 8 }).validate('ｐａｓｓｗｏｒｄ１２３'))).toEqual(['common_password']);
  });

  it('counts length after NFKC (a decomposed é is one character)', () => {
    const p8 = nistPolicy({ minLength: 8 });
    expect(codes(p8.validate('caf\u0065\u0301xyz'))).toEqual(['too_short']); // 7 after NFKC, 8 code points raw
    expect(p8.validate('caf\u00e9xyzw')).toEqual([]);
  });

  it('blocklist replaces the default; extraBlocklist adds to it', () => {
    const custom = nistPolicy({ minLength: 8, blocklist: ['Hunter2hunter2'] });
    expect(custom.validate('password')).toEqual([]);
    expect(codes(custom.validate('HUNTER2HUNTER2'))).toEqual(['common_password']);

    const extra = nistPolicy({ minLength: 8, extraBlocklist: ['authmountrocks'] });
    expect(codes(extra.validate('AuthmountRocks'))).toEqual(['common_password']);
    expect(codes(extra.validate('password'))).toEqual(['common_password']);
  });

  it('a blocklist given as a one-shot iterator is consumed once and keeps working', () => {
    function* entries(): Generator<string> {
      yield 'sekritsekrit1';
    }
    const p = nistPolicy({ minLength: 8, blocklist: entries() });
    expect(codes(p.validate('sekritsekrit1'))).toEqual(['common_password']);
    expect(codes(p.validate('sekritsekrit1'))).toEqual(['common_password']);
  });
});

describe('context words', () => {
  const policy = nistPolicy({ minLength: 8 });
  const ctx = {
    login: 'alice',
    email: 'alice.smith@example.com',
    name: 'Alice Smith',
    serviceName: 'Authmount Demo',
  };
  const CONTEXT = { code: 'context_word', message: expect.stringMatching(/login, e-mail/) };

  it.each([
    'alice2024!!',
    'ALICE2024',
    '!!alice!!',
    '2024 alice',
    'alice.smith@example.com',
    'Alice.Smith',
    'alicesmith',
    'AliceSmith99',
    'smith1234',
    'authmount',
    'Authmount2024!',
    'authmountdemo1',
    'ａｌｉｃｅ２０２４',
  ])('rejects %j as context_word', (pw) => {
    expect(policy.validate(pw, ctx)).toContainEqual(CONTEXT);
  });

  it.each(['alice in wonderland', 'malice aforethought', 'xalice2024', 'smithereens!', 'correct horse battery'])(
    'accepts %j (more than the context word plus digits/punctuation)',
    (pw) => {
      expect(codes(policy.validate(pw, ctx))).not.toContain('context_word');
    },
  );

  it('ignores context values shorter than 3 characters', () => {
    expect(policy.validate('al123456789', { login: 'al' })).toEqual([]);
  });

  it('without a context, the rule never fires', () => {
    expect(codes(policy.validate('alice2024!!'))).not.toContain('context_word');
  });

  it('the standalone rule checks all context fields', () => {
    const rule = rules.notContextWord();
    expect(rule.check('example99', { email: 'example@x.org' })?.code).toBe('context_word');
    expect(rule.check('example99', {})).toBeNull();
  });
});

describe('rules', () => {
  it('validate their arguments at construction', () => {
    expect(() => rules.minLength(0)).toThrow(RangeError);
    expect(() => rules.maxLength(-1)).toThrow(RangeError);
    expect(() => rules.minDistinct(1.5)).toThrow(RangeError);
    expect(() => rules.notOnlySequential(1)).toThrow(RangeError);
    expect(() => composePolicy('x', [], { maxLength: 0 })).toThrow(RangeError);
  });

  it('expose their code', () => {
    expect(rules.minLength(3).code).toBe('too_short');
    expect(rules.maxLength(3).code).toBe('too_long');
    expect(rules.minDistinct(3).code).toBe('too_few_distinct');
    expect(rules.noEdgeWhitespace().code).toBe('edge_whitespace');
    expect(rules.notOnlySequential().code).toBe('only_sequential');
    expect(rules.notOnlyKeyboardRun().code).toBe('only_keyboard_run');
    expect(rules.notCommon().code).toBe('common_password');
    expect(rules.notContextWord().code).toBe('context_word');
  });

  it('minRun: shorter runs are left alone', () => {
    expect(rules.notOnlySequential().check('abc', {})).toBeNull();
    expect(rules.notOnlySequential(3).check('abc', {})?.code).toBe('only_sequential');
    expect(rules.notOnlyKeyboardRun(3).check('wer', {})?.code).toBe('only_keyboard_run');
    expect(rules.notOnlyKeyboardRun().check('1234', {})).toBeNull(); // reported as sequential instead
  });

  it('minDistinct is case-sensitive on the NFKC form', () => {
    expect(rules.minDistinct(4).check('aAbB', {})).toBeNull();
    expect(rules.minDistinct(4).check('aaAA', {})?.code).toBe('too_few_distinct');
  });
});

describe('composePolicy', () => {
  const noDigitsOnly: PasswordRule = {
    code: 'common_password',
    check: (pw) => (/^\d+$/.test(pw) ? { code: 'common_password', message: 'Password must not be digits only.' } : null),
  };
  const policy = composePolicy('pin-free', [rules.minLength(10), noDigitsOnly, rules.noEdgeWhitespace()], {
    maxLength: 64,
  });

  it('runs the given rules in order', () => {
    expect(policy.name).toBe('pin-free');
    expect(policy.maxLength).toBe(64);
    expect(codes(policy.validate('12345'))).toEqual(['too_short', 'common_password']);
    expect(codes(policy.validate(' 12345 '))).toEqual(['too_short', 'edge_whitespace']);
    expect(codes(policy.validate(' 1234567890'))).toEqual(['edge_whitespace']);
    expect(policy.validate('1234567890x')).toEqual([]);
  });

  it('enforces opts.maxLength even without a maxLength rule', () => {
    expect(policy.validate('x'.repeat(65))).toEqual([{ code: 'too_long', message: 'Password must be at most 64 characters.' }]);
    expect(policy.validate('x'.repeat(64))).toEqual([]);
  });

  it('does not run expensive custom rules on over-long input', () => {
    const check = jest.fn(() => null);
    const p = composePolicy('spy', [{ code: 'common_password', check }], { maxLength: 64 });
    p.validate('x'.repeat(100));
    expect(check).not.toHaveBeenCalled();
    p.validate('x'.repeat(10));
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('returns fresh violation objects (callers may mutate them)', () => {
    const first = policy.validate('123');
    first[0].message = 'changed';
    expect(policy.validate('123')[0].message).toBe('Password must be at least 10 characters.');
  });

  it('is immutable', () => {
    expect(Object.isFrozen(policy)).toBe(true);
  });
});

describe('resolvePolicy', () => {
  it("'nist' and undefined give NIST defaults", () => {
    for (const policy of [resolvePolicy('nist'), resolvePolicy(undefined)]) {
      expect(policy.name).toBe('nist');
      expect(policy.maxLength).toBe(128);
      expect(codes(policy.validate('fourteen chars'))).toEqual(['too_short']);
    }
  });

  it("'pcloud' gives the pCloud profile", () => {
    const policy = resolvePolicy('pcloud');
    expect(policy.name).toBe('pcloud');
    expect(codes(policy.validate('qwerty'))).toEqual(['only_keyboard_run']);
  });

  it('a policy object is returned as is', () => {
    const custom: PasswordPolicy = composePolicy('custom', [rules.minLength(3)], { maxLength: 64 });
    expect(resolvePolicy(custom)).toBe(custom);
  });

  it('an unknown name throws', () => {
    expect(() => resolvePolicy('nsit' as never)).toThrow(/unknown password policy/);
    expect(() => resolvePolicy({} as never)).toThrow(TypeError);
  });
});

describe('messages never contain the password', () => {
  const inputs = [
    'abc',
    'abcdef',
    '123456',
    'qwerty',
    'poiuyt',
    'aaaaaaa',
    ' secret1',
    'secret1 ',
    'password',
    'iloveyou',
    'alice2024!!',
    'x'.repeat(200),
    'hunter2',
    'ｐａｓｓｗｏｒｄ１２３',
  ];
  const ctx = { login: 'alice', email: 'alice@example.com' };

  it.each([
    ['nist', nistPolicy()],
    ['nist-8', nistPolicy({ minLength: 8 })],
    ['pcloud', pcloudPolicy()],
  ])('%s', (_name, policy) => {
    let seen = 0;
    for (const pw of inputs) {
      const violations = policy.validate(pw, ctx);
      seen += violations.length;
      for (const v of violations) {
        expect(v.message).not.toContain(pw);
        expect(v.message).not.toContain(pw.trim());
      }
    }
    expect(seen).toBeGreaterThan(inputs.length / 2); // the inputs really do break rules
  });

  it('messages depend only on the rule, not on the password', () => {
    const policy = nistPolicy();
    expect(policy.validate('short1')).toEqual(policy.validate('other2'));
  });
});

describe('COMMON_PASSWORDS', () => {
  it('has at least 3000 distinct, lowercase, NFKC-normalised entries', () => {
    expect(new Set(COMMON_PASSWORDS).size).toBe(COMMON_PASSWORDS.length);
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(3000);
    for (const entry of COMMON_PASSWORDS) {
      expect(entry).toBe(entry.normalize('NFKC').toLowerCase());
      expect(entry.length).toBeGreaterThan(0);
    }
  });

  it('contains the top of the well-known lists', () => {
    const set = new Set(COMMON_PASSWORDS);
    for (const pw of ['123456', 'password', '12345678', 'qwerty', '123456789', 'iloveyou', 'p@ssw0rd', 'letmein']) {
      expect(set.has(pw)).toBe(true);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(COMMON_PASSWORDS)).toBe(true);
  });
});
