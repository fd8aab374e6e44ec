import { AuthError, type AuthErrorCode } from '@authmount/core';
import type { Response } from 'express';

/**
 * THE mapping from core error codes to HTTP statuses for authmount's own JSON routes and the generic guard.
 * Protocol adapters have their own single table for their wire format.
 */
export const HTTP_STATUS: Readonly<Record<AuthErrorCode, number>> = {
  invalid_request: 400,
  invalid_credentials: 401,
  token_missing: 401,
  token_invalid: 401,
  token_expired: 401,
  rate_limited: 429,
  overloaded: 503,
  password_policy: 422,
  password_mismatch: 403,
  same_password: 422,
  replayed_nonce: 401,
  bad_signature: 401,
  stale_timestamp: 401,
  forbidden_scope: 403,
  forbidden_kind: 403,
  conflict: 409,
  invalid_login: 422,
  not_found: 404,
  code_invalid: 400,
  store_unavailable: 503,
  capacity: 503,
};

/** Detail keys safe to show a client; anything else (causes, internals) stays server-side. */
const PUBLIC_DETAILS = ['violations', 'field', 'missing', 'scope', 'rule', 'budget'] as const;

export interface ErrorBody {
  error: { code: AuthErrorCode; message: string; [k: string]: unknown };
}

export function errorBody(err: AuthError): ErrorBody {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  for (const k of PUBLIC_DETAILS) if (err.details[k] !== undefined) body.error[k] = err.details[k];
  return body;
}

/** Headers every error of this code carries (RFC 6750 challenge, Retry-After). */
export function setErrorHeaders(res: Response, err: AuthError): void {
  const status = HTTP_STATUS[err.code];
  if (status === 401) {
    const detail = err.code === 'token_missing' ? '' : ', error="invalid_token"';
    res.setHeader('WWW-Authenticate', `Bearer realm="authmount"${detail}`);
  }
  if (err.code === 'rate_limited' || err.code === 'overloaded') res.setHeader('Retry-After', String(err.retryAfterSeconds ?? 1));
  else if (status === 503) res.setHeader('Retry-After', '1');
  res.setHeader('Cache-Control', 'no-store');
}

export function sendAuthError(res: Response, err: AuthError): void {
  setErrorHeaders(res, err);
  res.status(HTTP_STATUS[err.code]).json(errorBody(err));
}

/** Anything that is not an AuthError reaching auth code is a bug or an outage: answer 503, never leak it. */
export function asAuthError(e: unknown): AuthError {
  return e instanceof AuthError ? e : new AuthError('store_unavailable');
}
