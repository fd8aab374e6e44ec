import { AuthError } from './errors';

/**
 * THE login normaliser, used wherever a login is created or changed (AccountService.register / update, so
 * every adapter that signs users up goes through it). Stores compare logins case-insensitively; this makes
 * sure two logins that LOOK the same are also the same string before that comparison:
 * - NFKC: full-width `ｂｏｂ`, ligatures and other compatibility forms become their plain form (`bob`);
 * - no control, format or line-separator characters (Unicode Cc, Cf, Zl, Zp; lone surrogates Cs): zero-width
 *   spaces and joiners, bidi marks and the BOM would make `bob` and `bob<U+200B>` two accounts that
 *   print the same, and a lone surrogate cannot be stored as UTF-8 at all;
 * - no leading or trailing whitespace (` bob`), refused rather than silently trimmed;
 * - no `@`: a login can never look like an e-mail address, so `BOB@EXAMPLE.COM` cannot be registered as a
 *   login next to the account whose e-mail it is (sign-in looks identifiers up by login and by e-mail).
 */

/** Longest login, in UTF-16 code units, after normalisation. */
export const MAX_LOGIN_LENGTH = 254;
/** Raw input longer than this is refused before NFKC runs: a bound on the work spent on hostile input. */
const MAX_RAW_LOGIN = 4 * MAX_LOGIN_LENGTH;

export type LoginRule = 'empty' | 'too_long' | 'control' | 'edge_whitespace' | 'at_sign';

export const LOGIN_RULE_MESSAGES: Readonly<Record<LoginRule, string>> = {
  empty: 'login must not be empty.',
  too_long: `login must be at most ${MAX_LOGIN_LENGTH} characters.`,
  control: 'login must not contain control, invisible formatting or line-separator characters.',
  edge_whitespace: 'login must not start or end with whitespace.',
  at_sign: "login must not contain '@' (a login cannot look like an e-mail address).",
};

// Cc control, Cf format (U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+FEFF, ...), Cs lone surrogates,
// Zl/Zp line and paragraph separators.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
// After NFKC every Unicode space separator (U+00A0, U+2000–U+200A, U+3000, ...) is U+0020 or still \s.
const EDGE_SPACE = /^\s|\s$/u;

function refuse(rule: LoginRule): never {
  throw new AuthError('invalid_login', LOGIN_RULE_MESSAGES[rule], { field: 'login', rule });
}

/**
 * The stored form of a login, or an `invalid_login` AuthError (`details.rule` says which rule, `details.field`
 * is 'login'). A non-string is `invalid_request`. Case is kept: stores compare logins case-insensitively.
 */
export function normaliseLogin(raw: unknown): string {
  if (typeof raw !== 'string') throw new AuthError('invalid_request', 'login must be a string.', { field: 'login' });
  if (raw.length > MAX_RAW_LOGIN) refuse('too_long');
  const login = raw.normalize('NFKC');
  if (login.length === 0) refuse('empty');
  if (login.length > MAX_LOGIN_LENGTH) refuse('too_long');
  if (FORBIDDEN.test(login)) refuse('control');
  if (EDGE_SPACE.test(login)) refuse('edge_whitespace');
  if (login.includes('@')) refuse('at_sign');
  return login;
}

/**
 * The form a typed identifier is looked up under as a login: NFKC only, so `ｂｏｂ` finds `bob`. Lookups
 * never refuse (a login that could not be created simply is not found).
 */
export function loginLookupForm(identifier: string): string {
  return identifier.normalize('NFKC');
}
