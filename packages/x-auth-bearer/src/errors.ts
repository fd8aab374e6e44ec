import { AuthError, DEFAULT_MESSAGES, type AuthErrorCode } from '@authmount/core';
import { HTTP_STATUS } from '@authmount/express';
import type { Response } from 'express';

/**
 * The vendor documents only two outcomes besides success: 404 for an expired token on GET /login and an
 * empty 204 on DELETE. Everything else (bad credentials, malformed input, store outage, ...) is our own
 * choice, rendered in ONE JSON shape (see README "Errors"):
 *
 *   { "status": 401, "error": "invalid_credentials", "message": "Invalid login or password." }
 *
 * plus `field` (which input was wrong) and `retryAfter` (seconds, on 429) when they apply.
 */

/** Failures that are pure HTTP and have no core code. */
export type LocalErrorCode = 'unsupported_media_type' | 'payload_too_large' | 'method_not_allowed';
export type XAuthErrorCode = AuthErrorCode | LocalErrorCode;

/** THE table: every error code this adapter can answer with, and its HTTP status. */
export const XAUTH_ERROR_STATUS: Readonly<Record<XAuthErrorCode, number>> = {
  // authmount's generic statuses fit this vendor; not_found is the documented one (GET/PUT/DELETE /login
  // with an unknown or expired token).
  ...HTTP_STATUS,
  unsupported_media_type: 415,
  payload_too_large: 413,
  method_not_allowed: 405,
};

const LOCAL_MESSAGES: Readonly<Record<LocalErrorCode, string>> = {
  unsupported_media_type: 'Unsupported Content-Type.',
  payload_too_large: 'The request body is too large.',
  method_not_allowed: 'Method not allowed.',
};

/** An adapter-level failure with no core equivalent (wrong content type, body too large, wrong method). */
export class XAuthError extends Error {
  constructor(
    readonly code: LocalErrorCode,
    message?: string,
  ) {
    super(message ?? LOCAL_MESSAGES[code]);
    this.name = 'XAuthError';
  }
}

export interface XAuthErrorBody {
  status: number;
  error: XAuthErrorCode;
  message: string;
  field?: string;
  retryAfter?: number;
}

/**
 * Anything that is neither an AuthError nor an XAuthError reaching this adapter is an outage or a bug:
 * fail closed with 503 and never echo its message (it could carry internals).
 */
function normalise(e: unknown): AuthError | XAuthError {
  if (e instanceof AuthError || e instanceof XAuthError) return e;
  return new AuthError('store_unavailable', DEFAULT_MESSAGES.store_unavailable);
}

export function errorBody(e: unknown): XAuthErrorBody {
  const err = normalise(e);
  const status = XAUTH_ERROR_STATUS[err.code];
  // Core messages are written for clients and never contain a token, a password or a secret.
  const body: XAuthErrorBody = { status, error: err.code, message: err.message };
  if (err instanceof AuthError) {
    if (typeof err.details.field === 'string') body.field = err.details.field;
    if (err.code === 'rate_limited') body.retryAfter = err.retryAfterSeconds ?? 1;
  }
  return body;
}

/** Render any failure in this adapter's wire format. Never throws, never answers 500. */
export function sendError(res: Response, e: unknown): void {
  if (res.headersSent) return;
  const body = errorBody(e);
  res.setHeader('Cache-Control', 'no-store');
  if (body.status === 401) res.setHeader('WWW-Authenticate', 'X-Auth-Bearer');
  if (body.retryAfter !== undefined) res.setHeader('Retry-After', String(body.retryAfter));
  else if (body.status === 503) res.setHeader('Retry-After', '1');
  res.status(body.status).json(body);
}
