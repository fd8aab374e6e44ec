/** Rule predicates: pure; each takes the folded form where comparisons are involved. */
import { countCodePoints, FILLER_ONLY, fold } from './text';
import type { PolicyContext } from './types';

/** US-QWERTY rows (number row included), each also read right-to-left. */
const KEYBOARD_ROWS: readonly string[] = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'].flatMap((row) => [
  row,
  [...row].reverse().join(''),
]);

/**
 * True when the code points form one run of consecutive ASCII letters or digits with a constant
 * step of +1 or -1 (abcdef, 987654). Mixed classes ("89ab") and wrap-arounds ("yza") are not runs.
 */
export function isAlphabetOrDigitRun(chars: string[]): boolean {
  if (chars.length < 2) return false;
  const s = chars.join('');
  if (!/^[a-z]+$/.test(s) && !/^[0-9]+$/.test(s)) return false;
  const step = chars[1].charCodeAt(0) - chars[0].charCodeAt(0);
  if (step !== 1 && step !== -1) return false;
  for (let i = 2; i < chars.length; i++) {
    if (chars[i].charCodeAt(0) - chars[i - 1].charCodeAt(0) !== step) return false;
  }
  return true;
}

/** True when `s` is a substring of one keyboard row read left-to-right or right-to-left. */
export function isKeyboardRowRun(s: string): boolean {
  return KEYBOARD_ROWS.some((row) => row.includes(s));
}

/**
 * The shortest p such that `chars` is its first p code points repeated (p === length when the
 * string is not periodic). KMP failure function: O(n).
 */
function smallestPeriod(chars: string[]): number {
  const n = chars.length;
  const fail = [-1]; // fail[i]: length of the longest proper border of the first i code points
  for (let i = 1, k = -1; i <= n; i++) {
    while (k >= 0 && chars[k] !== chars[i - 1]) k = fail[k];
    k++;
    fail.push(k);
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
export function isRepetition(chars: string[], blocklist: ReadonlySet<string>): boolean {
  if (chars.length < 2) return false;
  const period = smallestPeriod(chars);
  if (period === chars.length) return false;
  return period <= MAX_SHORT_UNIT || blocklist.has(chars.slice(0, period).join(''));
}

/** Context values shorter than this are ignored (a 2-letter login would match far too much). */
const MIN_CONTEXT_WORD = 3;

/** The context words to test, folded, de-duplicated, each at least 3 code points long. */
export function contextWords(ctx: PolicyContext): string[] {
  const out = new Set<string>();
  const add = (w: string): void => {
    if (countCodePoints(w) >= MIN_CONTEXT_WORD) out.add(w);
  };
  // Whole value, value without ANY separator, and each separated word ("Alice Smith" → alicesmith, alice,
  // smith; "j.r.smith" → jrsmith, smith). `separator` matches one character (split leaves empty parts
  // between two, which add() drops).
  const addWithParts = (raw: unknown, separator: RegExp): void => {
    if (typeof raw !== 'string') return;
    const v = fold(raw).trim();
    const parts = v.split(separator);
    add(v);
    add(parts.join(''));
    for (const part of parts) add(part);
  };
  addWithParts(ctx.login, /[\s._+\-@]/u);
  addWithParts(ctx.name, /[\s\p{P}]/u);
  addWithParts(ctx.serviceName, /[\s\p{P}]/u);
  if (typeof ctx.email === 'string') {
    const email = fold(ctx.email).trim();
    add(email);
    const at = email.lastIndexOf('@');
    if (at !== -1) addWithParts(email.slice(0, at), /[._+-]/u);
  }
  return [...out];
}

/** True when `pw` is `word` with nothing but digits / punctuation / symbols / spaces around it. */
export function isBuiltAround(pw: string, word: string): boolean {
  for (let i = pw.indexOf(word); i !== -1; i = pw.indexOf(word, i + 1)) {
    if (FILLER_ONLY.test(pw.slice(0, i)) && FILLER_ONLY.test(pw.slice(i + word.length))) return true;
  }
  return false;
}

/** Context may come from untyped callers: keep only string fields of a real object. */
export function sanitizeContext(ctx: unknown): PolicyContext {
  if (typeof ctx !== 'object' || ctx === null) return {};
  const src = ctx as Record<string, unknown>;
  const out: PolicyContext = {};
  for (const key of ['login', 'email', 'name', 'serviceName'] as const) {
    const value = src[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}
