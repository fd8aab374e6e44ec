/** The public types of the password policy: what a rule checks, what it reports, what a policy is. */

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
