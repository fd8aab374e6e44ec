/** The compose engine: an ordered rule list becomes a frozen policy with a hard length bound. */
import { MESSAGES, violation } from './messages';
import { sanitizeContext } from './predicates';
import { assertCount } from './rules';
import { exceedsCodePoints } from './text';
import type { PasswordPolicy, PasswordRule, PolicyContext, PolicyRuleCode, PolicyViolation } from './types';

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
