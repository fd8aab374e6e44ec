// Surviving mutants that no input can tell from the code, each with the reason, for the lines where a
// `// Stryker disable next-line <Mutator>` comment would also hide a mutant of the same kind that tests DO
// kill (an `if` whose `false` version fails a test while its `true` version is only slower). A mutant is
// matched by file, mutator, the exact code it replaces and its replacement (and, when that code is as short
// as `'0'`, `line`: text its source line must contain), not by line number, so the list survives edits
// elsewhere in the file; an entry that matches nothing is reported (a stale entry).
// `npm run mutate` counts a matched mutant as equivalent: out of the score, listed with its reason. Add an
// entry only with a reason a reviewer can check; docs/mutation.md explains each group's.
export const EQUIVALENTS = [
  {
    file: 'packages/core/src/tokens.ts',
    mutator: 'ConditionalExpression',
    code: "this.events.listens('token.authenticated')",
    replacement: 'true',
    why: 'a speed guard: emit() checks for listeners itself, so emitting unconditionally changes nothing but the cost',
  },
  {
    file: 'packages/cb-token/src/app-auth.ts',
    mutator: 'StringLiteral',
    code: "'unknown application'",
    replacement: '""',
    why: 'the internal message of an error whose wire body is fixed by the error table (errors.ts): no client sees it',
  },
  ...['true', 'true', 'app.authSecret.length >= 0'].map((replacement, i) => ({
    file: 'packages/cb-token/src/app-auth.ts',
    mutator: i < 2 ? 'ConditionalExpression' : 'EqualityOperator',
    code: ["typeof app.authSecret === 'string' && app.authSecret.length > 0", 'app.authSecret.length > 0', 'app.authSecret.length > 0'][i],
    replacement,
    why: '`!secret` on the next line refuses an empty secret and a missing one alike (for every authSecret the CbApp type allows: a string or nothing); this only names the case',
  })),
  {
    file: 'packages/cb-token/src/app-auth.ts',
    mutator: 'ArithmeticOperator',
    code: 'timestamp * 1000 + window - now',
    replacement: 'timestamp * 1000 + window + now',
    why: 'remembers the nonce far longer than needed: safe (replays stay refused), only more memory; the tests hold the lower bound',
  },
  {
    file: 'packages/cb-token/src/app-auth.ts',
    mutator: 'ConditionalExpression',
    code: 'authKey.length > 256',
    replacement: 'false',
    why: 'a bound on what reaches the registry; a key that long matches no application anyway (answered the same)',
  },
  {
    file: 'packages/store-memory/src/tokens.ts',
    mutator: 'ConditionalExpression',
    code: 'patch.userId !== r.userId',
    replacement: 'true',
    why: 'moving a token to the owner it already has takes it out of the index and puts it back: the same index',
  },
  {
    file: 'packages/store-memory/src/tokens.ts',
    mutator: 'ConditionalExpression',
    code: 'patch.kind !== undefined || patch.scopes !== undefined',
    replacement: 'true',
    why: 'the profile is looked up again with the same kind and scopes: the same shared profile',
  },
  ...['true', 'deadlineOf(r) <= before'].map((replacement, i) => ({
    file: 'packages/store-memory/src/tokens.ts',
    mutator: i === 0 ? 'ConditionalExpression' : 'EqualityOperator',
    code: 'deadlineOf(r) < before',
    replacement,
    why: 'filing a deadline that did not move earlier again only adds a wheel entry the sweep skips (it re-reads the record)',
  })),
  ...['packages/store-memory/src/tokens.ts', 'packages/store-redis/src/tokens.ts'].map((file) => ({
    file,
    mutator: 'EqualityOperator',
    code: 'a.id < b.id',
    replacement: 'a.id <= b.id',
    why: 'token ids are unique: two records never compare equal',
  })),
  {
    file: 'packages/store-memory/src/tokens.ts',
    mutator: 'ConditionalExpression',
    code: 'rest.length === 1',
    replacement: 'false',
    why: 'a one-id array instead of the bare id: another representation of the same index (memory only)',
  },
  {
    file: 'packages/core/src/password-policy/rules.ts',
    mutator: 'ConditionalExpression',
    code: 'password.length === 0',
    replacement: 'false',
    why: 'for "" the pattern tests password[0], undefined, read as the text "undefined": no whitespace, the same null',
  },
  ...[
    ['ConditionalExpression', 's.length <= max', 'false'],
    ['EqualityOperator', 's.length <= max', 's.length < max'],
    ['ConditionalExpression', 's.length > 2 * max', 'false'],
  ].map(([mutator, code, replacement]) => ({
    file: 'packages/core/src/password-policy/text.ts',
    mutator,
    code,
    replacement,
    why: 'a shortcut from the UTF-16 length: without it the code points are counted, with the same answer (slower: the O(1) bound on huge input is what it buys)',
  })),
  {
    file: 'packages/store-redis/src/tokens.ts',
    mutator: 'ConditionalExpression',
    code: 'flat.length === 0',
    replacement: 'false',
    why: 'an empty reply decodes to NaN deadlines, which the liveness check on the next line refuses: null either way',
  },
  {
    file: 'packages/store-redis/src/tokens.ts',
    mutator: 'ConditionalExpression',
    code: 'patch.userId === undefined && patch.expiresAt === undefined',
    replacement: 'false',
    why: 'the one-script path is a speed path: the general path applies the same patch in more round trips',
  },
  ...[
    ["const slide = patch.slide ? '1' : '0';", 'the commit script slides on "1" only'],
    ["keep.has(p.id) ? '1' : '0'", 'the resolve script keeps on "1" only'],
  ].map(([line, why]) => ({
    file: 'packages/store-redis/src/tokens.ts',
    mutator: 'StringLiteral',
    code: "'0'",
    line,
    replacement: '""',
    why,
  })),
  {
    file: 'packages/store-redis/src/tokens.ts',
    mutator: 'StringLiteral',
    code: "''",
    line: "if (owner !== '')",
    replacement: '"Stryker was here!"',
    why: "an ownerless token's delete then drops a member from user 0's index, which holds none: nothing changes",
  },
  ...[
    ['ConditionalExpression', 'true'],
    ['EqualityOperator', 'i >= 0'],
  ].map(([mutator, replacement]) => ({
    file: 'packages/core/src/password-policy/text.ts',
    mutator,
    code: 'i > 0',
    replacement,
    why: 'at i = 0, charCodeAt(-1) is NaN, which is no high surrogate: the check below already says no',
  })),
  ...['/\\s$/u', '/^\\s/u'].map((replacement) => ({
    file: 'packages/core/src/password-policy/text.ts',
    mutator: 'Regex',
    code: '/^\\s$/u',
    replacement,
    why: 'WHITESPACE is only ever tested on one character (the first or the last): the anchors cannot matter',
  })),
  {
    file: 'packages/pcloud/src/digest.ts',
    mutator: 'StringLiteral',
    code: "'pcloud:digest'",
    replacement: '""',
    why: 'the digests\' namespace in the code store: any value no other purpose uses behaves the same, "" included',
  },
  ...[
    ['ConditionalExpression', '!/^[0-9a-fA-F]{40}$/.test(given)', 'false'],
    ['Regex', '/^[0-9a-fA-F]{40}$/', '/[0-9a-fA-F]{40}$/'],
    ['Regex', '/^[0-9a-fA-F]{40}$/', '/^[0-9a-fA-F]{40}/'],
  ].map(([mutator, code, replacement]) => ({
    file: 'packages/pcloud/src/digest.ts',
    mutator,
    code,
    replacement,
    why: 'a cheap exit before the comparison: constantTimeEqual refuses any other length, and a non-hex character never equals the lower-case hex digest',
  })),
  ...[
    ['ConditionalExpression', 'false'],
    ['EqualityOperator', 'value.length >= MAX_TOKEN_LENGTH'],
  ].map(([mutator, replacement]) => ({
    file: 'packages/core/src/token-format.ts',
    mutator,
    code: 'value.length > MAX_TOKEN_LENGTH',
    replacement,
    why: 'the token pattern itself bounds a token at 60 characters (16-digit id, ".", 43-character secret); the length test is a cheap exit before it, and a guard should the format ever widen',
  })),
  {
    file: 'packages/cb-token/src/signature.ts',
    mutator: 'ConditionalExpression',
    code: "typeof v === 'number'",
    replacement: 'true',
    why: 'Number.isFinite does not coerce: it is already false for everything that is not a finite number',
  },
  ...['/[0-9a-fA-F]+$/', '/^[0-9a-fA-F]+/'].map((replacement) => ({
    file: 'packages/cb-token/src/signature.ts',
    mutator: 'Regex',
    code: '/^[0-9a-fA-F]+$/',
    replacement,
    why: 'a signature with a non-hex character decodes (Buffer, hex) to fewer bytes than the digest, and the constant-time comparison refuses any other length: two guards, each redundant given the other',
  })),
];
