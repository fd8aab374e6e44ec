/**
 * Offline blocklist of common passwords for the `common_password` rule (NIST SP 800-63B rev 4
 * §3.1.1.2 "blocklist of commonly-used, expected, or compromised values"; OWASP ASVS 5.0 6.2.4
 * "at least the top 3000").
 *
 * The list is plain data, `common-passwords.json` beside this file, one entry per line: first the
 * top of the well-known leaked-password rankings (RockYou, SecLists "10-million", the yearly
 * "worst passwords" lists) roughly in rank order, common first names and words, then the pattern
 * families those lists are full of: digit runs and repeats, repeated short units, alphabet runs,
 * keyboard walks, leetspeak spellings of "password", common words with numeric and punctuation
 * suffixes, and words with years. To change the list, edit the JSON.
 *
 * Every entry is NFKC-normalised, lowercase and unique (the policy tests check all three): the
 * rule compares the NFKC-lowercased password against it, so "Password1" and "ＰＡＳＳＷＯＲＤ１"
 * both hit "password1".
 *
 * JSON (not a text file read at run time) because every tool here loads it with no extra step:
 * tsc and ts-jest through `resolveJsonModule`, tsx natively, and esbuild inlines it into both
 * published bundles, so the package needs no data file next to `dist/` and no path lookup.
 */
import entries from './common-passwords.json';

/** The blocklist, frozen: the same entries, in the same order, in every process. */
export const COMMON_PASSWORDS: readonly string[] = Object.freeze(entries);
