/** The pCloud `changepassword` profile, with pCloud's own messages (its error codes 2032–2035). */
import { composePolicy } from './compose';
import { rules, withMessage } from './rules';
import type { PasswordPolicy } from './types';

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
