/**
 * Unicode helpers shared by the rules. Length is counted in code points, never UTF-16 units, and
 * comparisons use the NFKC form, lowercased; the password itself is never rewritten.
 */

/** The comparison form of a string: NFKC, lowercased. Allocation-light for the short inputs we see. */
export function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/** Number of code points in `s` (a surrogate pair counts once, a lone surrogate counts once). */
export function countCodePoints(s: string): number {
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
export function exceedsCodePoints(s: string, max: number): boolean {
  if (s.length <= max) return false;
  if (s.length > 2 * max) return true;
  return countCodePoints(s) > max;
}

/** Any Unicode White_Space character (JS `\s` with the u flag also covers NBSP, U+3000, BOM…). */
export const WHITESPACE = /^\s$/u;

/** Characters that add (almost) nothing when wrapped around a context word: digits, punctuation, symbols, spaces. */
export const FILLER_ONLY = /^[\p{N}\p{P}\p{S}\s]*$/u;
