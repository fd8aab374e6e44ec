/**
 * Every expected failure in authmount is an `AuthError` with a stable `code`. Protocol adapters map
 * codes to their wire format in ONE table each; the express package maps them to HTTP statuses.
 * Messages are for humans and never contain a token, a password or a secret.
 */
export type AuthErrorCode =
  | 'invalid_request' // malformed input: wrong type, too long, missing field
  | 'invalid_credentials' // unknown account or wrong password (deliberately the same code)
  | 'token_missing' // no credential presented
  | 'token_invalid' // malformed, unknown, revoked or wrong secret
  | 'token_expired' // absolute or idle expiry passed
  | 'rate_limited' // over an abuse budget; details.budget names it, details.retryAfterMs tells when to try again
  | 'overloaded' // too much password hashing queued: shed at once (503); details.retryAfterMs
  | 'password_policy' // details.violations lists every broken rule
  | 'password_mismatch' // change password: the current password is wrong
  | 'same_password' // change password: new equals old
  | 'replayed_nonce'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'forbidden_scope' // token lacks a required scope
  | 'forbidden_kind' // token kind not allowed here (e.g. app token on a user route)
  | 'conflict' // login or e-mail already taken; details.field says which
  | 'invalid_login' // a new login breaks a normaliser rule (logins.ts); details.rule says which
  | 'not_found'
  | 'code_invalid' // single-use code unknown, used or expired
  | 'store_unavailable' // the store is down or slow: fail closed
  | 'capacity'; // a bounded store is full

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: AuthErrorCode, message?: string, details: Record<string, unknown> = {}) {
    super(message ?? DEFAULT_MESSAGES[code]);
    this.name = 'AuthError';
    this.code = code;
    this.details = details;
  }

  /** Seconds until a throttled or shed caller may retry (rounded up), or undefined. */
  get retryAfterSeconds(): number | undefined {
    const ms = this.details.retryAfterMs;
    return typeof ms === 'number' ? Math.max(1, Math.ceil(ms / 1000)) : undefined;
  }
}

export const DEFAULT_MESSAGES: Readonly<Record<AuthErrorCode, string>> = {
  invalid_request: 'The request is malformed.',
  invalid_credentials: 'Invalid login or password.',
  token_missing: 'Authentication required.',
  token_invalid: 'The token is invalid.',
  token_expired: 'The token has expired.',
  rate_limited: 'Too many attempts. Try again later.',
  overloaded: 'The server is busy. Try again shortly.',
  password_policy: 'The password does not meet the policy.',
  password_mismatch: 'The current password is wrong.',
  same_password: 'The new password is the same as the old one.',
  replayed_nonce: 'This request was already used.',
  bad_signature: 'The signature is invalid.',
  stale_timestamp: 'The timestamp is outside the accepted window.',
  forbidden_scope: 'The token lacks a required scope.',
  forbidden_kind: 'This kind of token is not allowed here.',
  conflict: 'Already exists.',
  invalid_login: 'The login is not valid.',
  not_found: 'Not found.',
  code_invalid: 'The code is invalid or has expired.',
  store_unavailable: 'The authentication store is unavailable.',
  capacity: 'The authentication store is full.',
};

export function isAuthError(e: unknown): e is AuthError {
  return e instanceof AuthError;
}

/**
 * Wrap any non-AuthError thrown by a store into `store_unavailable`, so callers fail closed.
 * The original error is kept as `cause` for operators, never in the message.
 */
export function toStoreError(e: unknown): AuthError {
  if (e instanceof AuthError) return e;
  const err = new AuthError('store_unavailable');
  (err as { cause?: unknown }).cause = e;
  return err;
}
