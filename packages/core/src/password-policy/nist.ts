/** The NIST SP 800-63B rev 4 / OWASP ASVS 5.0 profile. */
import { COMMON_PASSWORDS } from '../data/common-passwords';
import { composePolicy } from './compose';
import { rules } from './rules';
import type { PasswordPolicy } from './types';

/** Options of `nistPolicy`. */
export interface NistPolicyOptions {
  /** Minimum length in code points. Default 15 (800-63B rev 4, password as single factor). Floor 8. */
  minLength?: number | undefined;
  /** Maximum length in code points. Default 128. Must be ≥ 64 (800-63B: verifiers SHOULD allow 64). */
  maxLength?: number | undefined;
  /** Replaces the default blocklist (COMMON_PASSWORDS) entirely. */
  blocklist?: Iterable<string> | undefined;
  /** Added to the blocklist in use (default or `blocklist`): e.g. the service's own name variants. */
  extraBlocklist?: Iterable<string> | undefined;
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
  const blocklist = opts.extraBlocklist !== undefined ? concat(base, opts.extraBlocklist) : opts.blocklist;

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
