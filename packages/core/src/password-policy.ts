/**
 * Password policy validation for @authmount/core.
 *
 * A policy is an ordered list of small rules. `validate` reports EVERY broken rule (so a UI can
 * show them all at once), in rule order, and never throws on bad input. Two profiles ship:
 *
 * - `nistPolicy()`: NIST SP 800-63B rev 4 + OWASP ASVS 5.0 — long minimum, no composition rules,
 *   a blocklist of common values, no passwords built around the user's own identifiers.
 * - `pcloudPolicy()`: the rules documented by pCloud's `changepassword` method, with pCloud's
 *   own messages, so the pCloud adapter can reproduce its error codes 2032–2035.
 *
 * Conventions shared by every built-in rule:
 * - Length is counted in Unicode code points, never UTF-16 units ("😀" is one character).
 * - Comparisons (blocklist, runs, context words) use the NFKC form, lowercased, so that
 *   "ＰＡＳＳＷＯＲＤ" or "Password" are the same as "password". The password itself is never
 *   trimmed or rewritten; callers hash exactly what the user sent.
 * - Messages are fixed per rule (only the configured limit is interpolated): they never echo the
 *   password, so they are safe to log and to return to the client.
 */
import { COMMON_PASSWORDS } from './data/common-passwords';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/**
 * Facts about the account the password is for, used by the `context_word` rule. All optional;
 * values that are missing, not strings, or shorter than 3 characters are ignored.
 */
export interface PolicyContext {
  /** The account's login / user name. */
  login?: string;
  /** The account's e-mail address; its local part (before the last "@") is checked too. */
  email?: string;
  /** The person's display name; the whole name and each word of it are checked. */
  name?: string;
  /** The name of the service ("authmount demo", "pCloud"); whole and word by word. */
  serviceName?: string;
}

/**
 * Stable identifier of a rule. Adapters map these to their wire codes (e.g. pCloud 2032–2035).
 *
 * - `not_string`: the input is not a string at all.
 * - `too_short` / `too_long`: fewer / more code points than the limit.
 * - `too_few_distinct`: fewer distinct code points than the limit.
 * - `edge_whitespace`: starts or ends with any Unicode whitespace (space, tab, NBSP, …).
 * - `only_sequential`: the whole password is a run of consecutive alphabet or digit characters,
 *   ascending or descending (abcdef, 123456, 987654, zyxwvu).
 * - `only_keyboard_run`: the whole password is consecutive keys of one QWERTY row, either
 *   direction (qwerty, poiuyt, asdfgh, zxcvbn, 7890).
 * - `common_password`: the whole password is on the blocklist, or is one character repeated, or
 *   is a repeated short unit (ababab, abcabc) or a repeated blocklisted word (monkeymonkey).
 * - `context_word`: the whole password is a context word (login, e-mail, its local part, name,
 *   service name), alone or with only digits / punctuation / spaces around it.
 */
export type PolicyRuleCode =
  | 'not_string'
  | 'too_short'
  | 'too_long'
  | 'too_few_distinct'
  | 'edge_whitespace'
  | 'only_sequential'
  | 'only_keyboard_run'
  | 'common_password'
  | 'context_word';

/** One broken rule: a stable `code` for programs and a plain-English `message` for people. */
export interface PolicyViolation {
  code: PolicyRuleCode;
  /** Names the rule and its limit; never contains the password. */
  message: string;
}

/**
 * A single check. `check` receives the password exactly as submitted (a string, not normalised)
 * and returns a violation or `null`. Built-in rules never throw; a custom rule that throws makes
 * `validate` throw too (fail closed: a broken rule must not silently accept passwords).
 */
export interface PasswordRule {
  readonly code: PolicyRuleCode;
  check(password: string, ctx: PolicyContext): PolicyViolation | null;
}

/** A named, immutable set of rules with a hard upper bound on length. */
export interface PasswordPolicy {
  readonly name: string;
  /** Longest password accepted, in characters (code points). Callers reject longer input BEFORE hashing. */
  readonly maxLength: number;
  /** Every violated rule, in rule order; empty array = acceptable. Never throws, whatever the input type. */
  validate(password: unknown, ctx?: PolicyContext): PolicyViolation[];
}

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

/** The comparison form of a string: NFKC, lowercased. Allocation-light for the short inputs we see. */
function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/** Number of code points in `s` (a surrogate pair counts once, a lone surrogate counts once). */
function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    // A low surrogate right after a high one belongs to the same code point.
    const isTrail = unit >= 0xdc00 && unit <= 0xdfff && i > 0 && isHighSurrogate(s.charCodeAt(i - 1));
    if (!isTrail) n++;
  }
  return n;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * Whether `s` has more than `max` code points, without walking the whole string when the UTF-16
 * length already decides it (each code point is 1 or 2 units). This keeps a 1 MB input O(1).
 */
function exceedsCodePoints(s: string, max: number): boolean {
  if (s.length <= max) return false;
  if (s.length > 2 * max) return true;
  return countCodePoints(s) > max;
}

/** Any Unicode White_Space character (JS `\s` with the u flag also covers NBSP, U+3000, BOM…). */
const WHITESPACE = /^\s$/u;

/** Characters that add (almost) nothing when wrapped around a context word: digits, punctuation, symbols, spaces. */
const FILLER_ONLY = /^[\p{N}\p{P}\p{S}\s]*$/u;

/** US-QWERTY rows (number row included), each also read right-to-left. */
const KEYBOARD_ROWS: readonly string[] = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'].flatMap((row) => [
  row,
  [...row].reverse().join(''),
]);

// ---------------------------------------------------------------------------------------------
// Messages (fixed text + limit only: the password never reaches a message)
// ---------------------------------------------------------------------------------------------

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const MESSAGES = {
  notString: 'Password must be a string.',
  tooShort: (n: number) => `Password must be at least ${plural(n, 'character')}.`,
  tooLong: (n: number) => `Password must be at most ${plural(n, 'character')}.`,
  tooFewDistinct: (n: number) => `Password must contain at least ${plural(n, 'different character')}.`,
  edgeWhitespace: 'Password must not start or end with whitespace.',
  onlySequential: 'Password must not consist only of consecutive letters or digits.',
  onlyKeyboardRun: 'Password must not consist only of adjacent keys from one keyboard row.',
  common: 'Password is too common or too easy to guess.',
  contextWord: 'Password must not be based on your login, e-mail address, name or the service name.',
} as const;

// ---------------------------------------------------------------------------------------------
// Rule predicates (pure; each takes the folded form where comparisons are involved)
// ---------------------------------------------------------------------------------------------

/**
 * True when the code points form one run of consecutive ASCII letters or digits with a constant
 * step of +1 or -1 (abcdef, 987654). Mixed classes ("89ab") and wrap-arounds ("yza") are not runs.
 */
function isAlphabetOrDigitRun(chars: string[]): boolean {
  if (chars.length < 2) return false;
  const inClass = chars.every((c) => /^[a-z]$/.test(c)) || chars.every((c) => /^[0-9]$/.test(c));
  if (!inClass) return false;
  const step = chars[1].charCodeAt(0) - chars[0].charCodeAt(0);
  if (step !== 1 && step !== -1) return false;
  for (let i = 2; i < chars.length; i++) {
    if (chars[i].charCodeAt(0) - chars[i - 1].charCodeAt(0) !== step) return false;
  }
  return true;
}

/** True when `s` is a substring of one keyboard row read left-to-right or right-to-left. */
function isKeyboardRowRun(s: string): boolean {
  return KEYBOARD_ROWS.some((row) => row.includes(s));
}

/**
 * The shortest p such that `chars` is its first p code points repeated (p === length when the
 * string is not periodic). KMP failure function: O(n).
 */
function smallestPeriod(chars: string[]): number {
  const n = chars.length;
  const fail = new Array<number>(n + 1).fill(0);
  fail[0] = -1;
  for (let i = 1, k = -1; i <= n; i++) {
    while (k >= 0 && chars[k] !== chars[i - 1]) k = fail[k];
    k++;
    fail[i] = k;
  }
  const p = n - fail[n];
  return n % p === 0 ? p : n;
}

/** Longest unit that still counts as "a repeated short unit" (ababab, abcabc, abcdabcd). */
const MAX_SHORT_UNIT = 4;

/**
 * One character repeated ("aaaaaa"), a short unit repeated ("ababab", "abcabc"), or a blocklisted
 * word repeated ("monkeymonkey"). These are the "expected values" NIST asks verifiers to refuse.
 */
function isRepetition(chars: string[], blocklist: ReadonlySet<string>): boolean {
  if (chars.length < 2) return false;
  const period = smallestPeriod(chars);
  if (period === chars.length) return false;
  return period <= MAX_SHORT_UNIT || blocklist.has(chars.slice(0, period).join(''));
}

/** Context values shorter than this are ignored (a 2-letter login would match far too much). */
const MIN_CONTEXT_WORD = 3;

/** The context words to test, folded, de-duplicated, each at least 3 code points long. */
function contextWords(ctx: PolicyContext): string[] {
  const out = new Set<string>();
  const add = (v: string): void => {
    const w = v.trim();
    if (countCodePoints(w) >= MIN_CONTEXT_WORD) out.add(w);
  };
  // Whole value, value without separators, and each separated word ("Alice Smith" → alicesmith, alice, smith).
  const addWithParts = (raw: unknown, separators: RegExp): void => {
    if (typeof raw !== 'string') return;
    const v = fold(raw).trim();
    add(v);
    add(v.replace(separators, ''));
    for (const part of v.split(separators)) add(part);
  };
  addWithParts(ctx.login, /[\s._+\-@]+/u);
  addWithParts(ctx.name, /[\s\p{P}]+/u);
  addWithParts(ctx.serviceName, /[\s\p{P}]+/u);
  if (typeof ctx.email === 'string') {
    const email = fold(ctx.email).trim();
    add(email);
    const at = email.lastIndexOf('@');
    if (at > 0) addWithParts(email.slice(0, at), /[._+-]+/u);
  }
  return [...out];
}

/** True when `pw` is `word` with nothing but digits / punctuation / symbols / spaces around it. */
function isBuiltAround(pw: string, word: string): boolean {
  for (let i = pw.indexOf(word); i !== -1; i = pw.indexOf(word, i + 1)) {
    if (FILLER_ONLY.test(pw.slice(0, i)) && FILLER_ONLY.test(pw.slice(i + word.length))) return true;
  }
  return false;
}

/** Context may come from untyped callers: keep only string fields of a real object. */
function sanitizeContext(ctx: unknown): PolicyContext {
  if (typeof ctx !== 'object' || ctx === null) return {};
  const src = ctx as Record<string, unknown>;
  const out: PolicyContext = {};
  for (const key of ['login', 'email', 'name', 'serviceName'] as const) {
    const value = src[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Blocklist (one Set per distinct source, built lazily on first use)
// ---------------------------------------------------------------------------------------------

let defaultBlocklist: ReadonlySet<string> | undefined;

/** Build a Set of folded entries; non-string entries are skipped rather than trusted. */
function toBlocklistSet(entries: Iterable<unknown>): ReadonlySet<string> {
  const set = new Set<string>();
  for (const entry of entries) if (typeof entry === 'string') set.add(fold(entry));
  return set;
}

/** The shared Set over COMMON_PASSWORDS: built once per process, on the first check that needs it. */
function getDefaultBlocklist(): ReadonlySet<string> {
  defaultBlocklist ??= toBlocklistSet(COMMON_PASSWORDS);
  return defaultBlocklist;
}

// ---------------------------------------------------------------------------------------------
// Rule factories
// ---------------------------------------------------------------------------------------------

function assertCount(what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${String(n)}`);
  }
}

function violation(code: PolicyRuleCode, message: string): PolicyViolation {
  return { code, message };
}

/** A rule with its message replaced (used by profiles that must speak a provider's words). */
function withMessage(rule: PasswordRule, message: string): PasswordRule {
  return {
    code: rule.code,
    check: (password, ctx) => (rule.check(password, ctx) ? violation(rule.code, message) : null),
  };
}

/** Default shortest whole-password run that the sequential / keyboard rules report. */
const DEFAULT_MIN_RUN = 4;

/**
 * The built-in rules. Each factory validates its argument at construction (throwing RangeError)
 * so a misconfigured policy fails at startup, not on a user's request.
 */
export const rules = {
  /**
   * `too_short` when the NFKC form has fewer than `n` code points. Counting after NFKC makes the
   * same visible password the same length whichever keyboard/IME composed it (NIST 800-63B).
   */
  minLength(n: number): PasswordRule {
    assertCount('minLength', n, 1);
    return {
      code: 'too_short',
      check: (password) =>
        countCodePoints(password.normalize('NFKC')) < n ? violation('too_short', MESSAGES.tooShort(n)) : null,
    };
  },

  /**
   * `too_long` when the password as submitted has more than `n` code points. Counted on the raw
   * input, not the NFKC form, because this is the DoS bound on what the caller will hash, and it
   * must agree with a caller's own pre-hash check. O(1) for inputs far beyond the limit.
   */
  maxLength(n: number): PasswordRule {
    assertCount('maxLength', n, 1);
    return {
      code: 'too_long',
      check: (password) => (exceedsCodePoints(password, n) ? violation('too_long', MESSAGES.tooLong(n)) : null),
    };
  },

  /**
   * `too_few_distinct` when the NFKC form has fewer than `n` distinct code points. Case-sensitive:
   * "aA" is two different characters (pCloud's wording, "different characters", is literal).
   */
  minDistinct(n: number): PasswordRule {
    assertCount('minDistinct', n, 1);
    return {
      code: 'too_few_distinct',
      check: (password) => {
        const seen = new Set<string>();
        for (const c of password.normalize('NFKC')) {
          seen.add(c);
          if (seen.size >= n) return null; // early exit: the rest cannot lower the count
        }
        return violation('too_few_distinct', MESSAGES.tooFewDistinct(n));
      },
    };
  },

  /**
   * `edge_whitespace` when the first or last character is Unicode whitespace (space, tab, NBSP,
   * ideographic space, …). Only the two ends are inspected, so it is O(1) on any input. All
   * whitespace is in the BMP, so looking at single UTF-16 units is exact.
   */
  noEdgeWhitespace(): PasswordRule {
    return {
      code: 'edge_whitespace',
      check: (password) => {
        if (password.length === 0) return null;
        const edges = WHITESPACE.test(password[0]) || WHITESPACE.test(password[password.length - 1]);
        return edges ? violation('edge_whitespace', MESSAGES.edgeWhitespace) : null;
      },
    };
  },

  /**
   * `only_sequential` when the whole (folded) password is one run of consecutive ASCII letters or
   * digits, ascending or descending: abcdef, ABCDEF, 123456, 987654, zyxwvu. A password made of
   * two runs ("abcxyz") is not reported: the rule is about ALL characters being consecutive.
   * Passwords shorter than `minRun` (default 4) are left to the length rules.
   */
  notOnlySequential(minRun: number = DEFAULT_MIN_RUN): PasswordRule {
    assertCount('minRun', minRun, 2);
    return {
      code: 'only_sequential',
      check: (password) => {
        const chars = [...fold(password)];
        const run = chars.length >= minRun && isAlphabetOrDigitRun(chars);
        return run ? violation('only_sequential', MESSAGES.onlySequential) : null;
      },
    };
  },

  /**
   * `only_keyboard_run` when the whole (folded) password is adjacent keys of one US-QWERTY row,
   * either direction: qwerty, poiuyt, asdfgh, zxcvbn. The number row is included so that runs
   * through "0" (7890, 0987) are caught; a digit string that is also a plain digit run (1234) is
   * reported once, as `only_sequential`, not twice. Passwords shorter than `minRun` are ignored.
   */
  notOnlyKeyboardRun(minRun: number = DEFAULT_MIN_RUN): PasswordRule {
    assertCount('minRun', minRun, 2);
    return {
      code: 'only_keyboard_run',
      check: (password) => {
        const folded = fold(password);
        const chars = [...folded];
        const run = chars.length >= minRun && isKeyboardRowRun(folded) && !isAlphabetOrDigitRun(chars);
        return run ? violation('only_keyboard_run', MESSAGES.onlyKeyboardRun) : null;
      },
    };
  },

  /**
   * `common_password` when the folded password is in the blocklist, is one character repeated, is
   * a unit of at most 4 characters repeated (ababab, abcabc), or is a blocklisted word repeated.
   * `blocklist` replaces the default COMMON_PASSWORDS; entries are NFKC-lowercased. The Set is
   * built lazily on first use (and shared across rules for the default list).
   */
  notCommon(blocklist?: Iterable<string>): PasswordRule {
    let custom: ReadonlySet<string> | undefined;
    const getSet = (): ReadonlySet<string> => {
      if (blocklist === undefined) return getDefaultBlocklist();
      custom ??= toBlocklistSet(blocklist);
      return custom;
    };
    return {
      code: 'common_password',
      check: (password) => {
        const folded = fold(password);
        const set = getSet();
        const common = set.has(folded) || isRepetition([...folded], set);
        return common ? violation('common_password', MESSAGES.common) : null;
      },
    };
  },

  /**
   * `context_word` when the folded password equals a context word, or is one wrapped only in
   * digits / punctuation / symbols / spaces (login "alice" → "alice", "Alice2024!!", "!alice!").
   * Context words: login, e-mail, the e-mail local part, name, service name — each whole, without
   * separators, and word by word (tokens under 3 characters ignored). Case-insensitive (NFKC).
   */
  notContextWord(): PasswordRule {
    return {
      code: 'context_word',
      check: (password, ctx) => {
        const words = contextWords(sanitizeContext(ctx));
        if (words.length === 0) return null;
        const folded = fold(password);
        return words.some((w) => isBuiltAround(folded, w)) ? violation('context_word', MESSAGES.contextWord) : null;
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

/**
 * Rules that stay cheap (O(1) or a bounded prefix scan) on a huge input, and so still run when
 * the password is over the length limit. Everything else (NFKC, blocklist, regexes) is skipped.
 */
const CHEAP_CODES: ReadonlySet<PolicyRuleCode> = new Set<PolicyRuleCode>(['too_long', 'edge_whitespace']);

/**
 * Build a policy from an ordered rule list. `opts.maxLength` is always enforced: if the input has
 * more code points than that, only the cheap rules (`too_long`, `edge_whitespace`) run and a
 * `too_long` violation is guaranteed even when the list has no (or a looser) maxLength rule.
 * Throws RangeError at construction if `opts.maxLength` is not a positive integer.
 */
export function composePolicy(name: string, ruleList: PasswordRule[], opts: { maxLength: number }): PasswordPolicy {
  assertCount('maxLength', opts.maxLength, 1);
  const maxLength = opts.maxLength;
  const all: readonly PasswordRule[] = Object.freeze([...ruleList]);
  const cheap: readonly PasswordRule[] = Object.freeze(all.filter((r) => CHEAP_CODES.has(r.code)));

  const run = (list: readonly PasswordRule[], password: string, ctx: PolicyContext): PolicyViolation[] => {
    const out: PolicyViolation[] = [];
    for (const rule of list) {
      const v = rule.check(password, ctx);
      if (v) out.push(v);
    }
    return out;
  };

  return Object.freeze({
    name,
    maxLength,
    validate(password: unknown, ctx?: PolicyContext): PolicyViolation[] {
      if (typeof password !== 'string') return [violation('not_string', MESSAGES.notString)];
      const context = sanitizeContext(ctx);
      if (!exceedsCodePoints(password, maxLength)) return run(all, password, context);
      const found = run(cheap, password, context);
      if (!found.some((v) => v.code === 'too_long')) found.unshift(violation('too_long', MESSAGES.tooLong(maxLength)));
      return found;
    },
  });
}

/** pCloud's documented limits (changepassword). */
const PCLOUD_MIN_LENGTH = 6;
const PCLOUD_MIN_DISTINCT = 4;
/**
 * pCloud states no maximum. 128 code points is our DoS bound so that a caller never hashes an
 * arbitrarily large body; no real password is that long.
 */
const PCLOUD_MAX_LENGTH = 128;

/** pCloud's own wording for its error codes 2032–2035. */
const PCLOUD_MESSAGES = {
  tooShort: 'Password too short. Minimum length is 6 characters.', // 2032
  edgeWhitespace: 'Password can not start or end with space.', // 2033
  tooFewDistinct: 'Password does not contain enough different characters. The minimum is 4.', // 2034
  consecutive: 'Password can not contain only consecutive characters.', // 2035
} as const;

/**
 * The pCloud `changepassword` profile: at least 6 characters, at least 4 different characters,
 * not all consecutive alphabet/digit characters (abcdef, 123456, 987654 — case-insensitive, any
 * length ≥ 4, so "abcdefgh" is rejected and "abcxyz" accepted), not all consecutive keys of one
 * keyboard row (qwerty, poiuyt), no leading/trailing whitespace (any Unicode whitespace), and at
 * most 128 characters (our DoS bound; pCloud documents none, so `too_long` has no pCloud code and
 * a generic message). Messages are pCloud's own. Codes map: too_short→2032,
 * edge_whitespace→2033, too_few_distinct→2034, only_sequential / only_keyboard_run→2035.
 */
export function pcloudPolicy(): PasswordPolicy {
  return composePolicy(
    'pcloud',
    [
      rules.maxLength(PCLOUD_MAX_LENGTH),
      withMessage(rules.minLength(PCLOUD_MIN_LENGTH), PCLOUD_MESSAGES.tooShort),
      withMessage(rules.noEdgeWhitespace(), PCLOUD_MESSAGES.edgeWhitespace),
      withMessage(rules.minDistinct(PCLOUD_MIN_DISTINCT), PCLOUD_MESSAGES.tooFewDistinct),
      withMessage(rules.notOnlySequential(), PCLOUD_MESSAGES.consecutive),
      withMessage(rules.notOnlyKeyboardRun(), PCLOUD_MESSAGES.consecutive),
    ],
    { maxLength: PCLOUD_MAX_LENGTH },
  );
}

/** Options of `nistPolicy`. */
export interface NistPolicyOptions {
  /** Minimum length in code points. Default 15 (800-63B rev 4, password as single factor). Floor 8. */
  minLength?: number;
  /** Maximum length in code points. Default 128. Must be ≥ 64 (800-63B: verifiers SHOULD allow 64). */
  maxLength?: number;
  /** Replaces the default blocklist (COMMON_PASSWORDS) entirely. */
  blocklist?: Iterable<string>;
  /** Added to the blocklist in use (default or `blocklist`): e.g. the service's own name variants. */
  extraBlocklist?: Iterable<string>;
}

const NIST_DEFAULT_MIN_LENGTH = 15;
const NIST_MIN_LENGTH_FLOOR = 8;
const NIST_DEFAULT_MAX_LENGTH = 128;
const NIST_MAX_LENGTH_FLOOR = 64;

/** Yield every entry of each source, in order (lets the blocklist Set be built lazily from both). */
function* concat<T>(...sources: Iterable<T>[]): Iterable<T> {
  for (const source of sources) yield* source;
}

/**
 * The NIST SP 800-63B rev 4 / OWASP ASVS 5.0 profile: length limits, a blocklist of common and
 * expected values, no all-sequential or all-keyboard-row passwords, no passwords built around the
 * account's own identifiers. Deliberately NO composition rules (no "one upper, one digit…") and
 * leading/trailing spaces are allowed: passphrases like "correct horse battery staple" pass.
 * Throws (at construction) when minLength < 8, maxLength < 64, or minLength > maxLength.
 */
export function nistPolicy(opts: NistPolicyOptions = {}): PasswordPolicy {
  const minLength = opts.minLength ?? NIST_DEFAULT_MIN_LENGTH;
  const maxLength = opts.maxLength ?? NIST_DEFAULT_MAX_LENGTH;
  if (!Number.isInteger(minLength) || minLength < NIST_MIN_LENGTH_FLOOR) {
    throw new RangeError(
      `nistPolicy: minLength must be an integer >= ${NIST_MIN_LENGTH_FLOOR} (8 is the floor of NIST SP 800-63B), got ${String(minLength)}`,
    );
  }
  if (!Number.isInteger(maxLength) || maxLength < NIST_MAX_LENGTH_FLOOR) {
    throw new RangeError(
      `nistPolicy: maxLength must be an integer >= ${NIST_MAX_LENGTH_FLOOR} (NIST SP 800-63B), got ${String(maxLength)}`,
    );
  }
  if (minLength > maxLength) {
    throw new RangeError(`nistPolicy: minLength (${minLength}) must not exceed maxLength (${maxLength})`);
  }

  // Only build a private Set when the list differs from the default; otherwise share the default.
  const base: Iterable<string> = opts.blocklist ?? COMMON_PASSWORDS;
  const blocklist =
    opts.extraBlocklist !== undefined ? concat(base, opts.extraBlocklist) : opts.blocklist;

  return composePolicy(
    'nist',
    [
      rules.minLength(minLength),
      rules.maxLength(maxLength),
      rules.notCommon(blocklist),
      rules.notOnlySequential(),
      rules.notOnlyKeyboardRun(),
      rules.notContextWord(),
    ],
    { maxLength },
  );
}

/** A policy by name, or a ready policy object. */
export type PolicySpec = 'nist' | 'pcloud' | PasswordPolicy;

/**
 * Turn a spec into a policy: 'nist' → `nistPolicy()` (defaults), 'pcloud' → `pcloudPolicy()`, a
 * policy object → itself, `undefined` → `nistPolicy()`. Anything else throws a configuration
 * Error (TypeError), so a typo in configuration fails at startup instead of weakening the policy.
 */
export function resolvePolicy(spec: PolicySpec | undefined): PasswordPolicy {
  if (spec === undefined || spec === 'nist') return nistPolicy();
  if (spec === 'pcloud') return pcloudPolicy();
  if (isPolicy(spec)) return spec;
  throw new TypeError(`resolvePolicy: unknown password policy ${JSON.stringify(String(spec))}; use 'nist', 'pcloud' or a PasswordPolicy`);
}

function isPolicy(value: unknown): value is PasswordPolicy {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<PasswordPolicy>;
  return typeof p.validate === 'function' && typeof p.name === 'string' && Number.isInteger(p.maxLength);
}
