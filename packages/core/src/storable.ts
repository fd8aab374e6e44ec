import { AuthError } from './errors';

/**
 * Client text that a store must be able to keep. PostgreSQL's text and jsonb refuse the NUL character
 * (U+0000) outright, so a NUL that reached the store would turn bad input into a store error (a 503 and a
 * "store down" log line) on that store only. Refused here instead, once for every store, as the caller's
 * mistake. Other control characters are storable and left to each field's own rules.
 */
export function assertStorable(what: string, value: unknown): void {
  if (hasNul(value)) throw new AuthError('invalid_request', `${what} must not contain NUL characters.`, { field: what });
}

/** A NUL in any string or key of a JSON value (its JSON text would not do: "\\u0000" typed as six characters). */
function hasNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (Array.isArray(v)) return v.some(hasNul);
  if (typeof v === 'object' && v !== null) return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x));
  return false;
}
