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
export type { PasswordPolicy, PasswordRule, PolicyContext, PolicyRuleCode, PolicyViolation } from './types';
export { rules } from './rules';
export { composePolicy } from './compose';
export { pcloudPolicy } from './pcloud';
export { nistPolicy, type NistPolicyOptions } from './nist';
export { resolvePolicy, type PolicySpec } from './resolve';
