/** A policy from configuration: a profile name or a ready policy object. */
import { nistPolicy } from './nist';
import { pcloudPolicy } from './pcloud';
import type { PasswordPolicy } from './types';

/** A policy by name, or a ready policy object. */
export type PolicySpec = 'nist' | 'pcloud' | PasswordPolicy;

/**
 * Turn a spec into a policy: 'nist' → `nistPolicy()` (defaults), 'pcloud' → `pcloudPolicy()`, a
 * policy object → itself, `undefined` → `nistPolicy()`. Anything else throws a configuration
 * Error (TypeError), so a typo in configuration fails at startup instead of weakening the policy.
 */
export function resolvePolicy(spec: PolicySpec | undefined): PasswordPolicy {
  if (spec === undefined || spec === 'nist') return nistPolicy();
  if (spec === 'pcloud') return pcloudPolicy();
  if (isPolicy(spec)) return spec;
  throw new TypeError(`resolvePolicy: unknown password policy ${JSON.stringify(String(spec))}; use 'nist', 'pcloud' or a PasswordPolicy`);
}

function isPolicy(value: unknown): value is PasswordPolicy {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<PasswordPolicy>;
  return typeof p.validate === 'function' && typeof p.name === 'string' && Number.isInteger(p.maxLength);
}
