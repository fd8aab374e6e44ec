/** The built-in rule factories (`rules.*`), `withMessage` for profiles, and the count check `composePolicy` shares. */
import { getDefaultBlocklist, toBlocklistSet } from './blocklist';
import { MESSAGES, violation } from './messages';
import { contextWords, isAlphabetOrDigitRun, isBuiltAround, isKeyboardRowRun, isRepetition, sanitizeContext } from './predicates';
import { countCodePoints, exceedsCodePoints, fold, WHITESPACE } from './text';
import type { PasswordRule } from './types';

/** Construction-time check of a count option: a RangeError at startup, never on a user's request. */
export function assertCount(what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${String(n)}`);
  }
}

/** A rule with its message replaced (used by profiles that must speak a provider's words). */
export function withMessage(rule: PasswordRule, message: string): PasswordRule {
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
      check: (password) => (countCodePoints(password.normalize('NFKC')) < n ? violation('too_short', MESSAGES.tooShort(n)) : null),
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
        const folded = fold(password);
        return words.some((w) => isBuiltAround(folded, w)) ? violation('context_word', MESSAGES.contextWord) : null;
      },
    };
  },
};
