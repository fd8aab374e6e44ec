import { AuthError, type AuthErrorCode, type LoginRule, type PolicyViolation } from '@authmount/core';
import type { Response } from 'express';

/**
 * Failures that only exist in the CB-Token protocol (core has no code for them).
 * - unknown_application: application_id / auth_key / CB-AuthKey match no registered application.
 * - validation: a parameter is missing or has the wrong shape; `field` names it (CB's per-field errors).
 * - malformed_body: the body could not be parsed (bad JSON, too large, wrong charset).
 * - provider_unsupported: `provider` names a login provider with no verifier configured.
 * - provider_rejected: the provider verifier refused the credentials or failed.
 */
export type CbOnlyErrorCode = 'unknown_application' | 'validation' | 'malformed_body' | 'provider_unsupported' | 'provider_rejected';
export type CbErrorCode = AuthErrorCode | CbOnlyErrorCode;

export interface CbErrorDetails {
  /** Parameter the error is about (validation errors). */
  field?: string;
  /** Login provider name (provider errors). */
  provider?: string;
}

export class CbError extends Error {
  readonly code: CbOnlyErrorCode;
  readonly details: Readonly<CbErrorDetails>;

  constructor(code: CbOnlyErrorCode, message: string, details: CbErrorDetails = {}) {
    super(message);
    this.name = 'CbError';
    this.code = code;
    this.details = details;
  }
}

/** A missing or ill-shaped parameter: `{"errors":{"<field>":["<message>"]}}` (422). */
export function invalidParam(field: string, message = 'is invalid'): CbError {
  return new CbError('validation', message, { field });
}

/**
 * CB's two error body shapes, both observed on the real server: a flat array for authentication and
 * signature failures, an object keyed by field (or `base`) for session, permission and validation failures.
 */
export type CbErrorBody = { errors: string[] } | { errors: Record<string, string[]> };

interface Failure {
  code: CbErrorCode;
  message: string;
  details: Readonly<Record<string, unknown>>;
}

interface Rule {
  status: number;
  body(f: Failure): CbErrorBody;
}

const flat = (message: string) => (): CbErrorBody => ({ errors: [message] });
const base = (message: string) => (): CbErrorBody => ({ errors: { base: [message] } });
const field = (name: string, message: string) => (): CbErrorBody => ({ errors: { [name]: [message] } });
const fieldOr =
  (fallback: string) =>
  (f: Failure): CbErrorBody => {
    const name = typeof f.details.field === 'string' ? f.details.field : fallback;
    return { errors: { [name]: [f.message] } };
  };

/** The exact body the SDKs test for expiry: 401 + errors.base[0] === 'Required session does not exist'. */
export const SESSION_DOES_NOT_EXIST = 'Required session does not exist';
export const NEED_USER = 'Forbidden. Need user.';

/** Core's login-normaliser rules in CB's per-field wording (`{"errors":{"login":["..."]}}`). */
const LOGIN_MESSAGES: Readonly<Record<LoginRule, string>> = {
  empty: 'cannot be blank',
  too_long: 'is too long',
  control: 'cannot contain control or invisible characters',
  edge_whitespace: 'cannot start or end with a space',
  at_sign: 'cannot contain @',
};

/**
 * THE table: every failure this adapter can answer, core's codes and CB's own, to a status and CB's body.
 * Bodies marked [C] in the protocol notes are copied verbatim; the others are documented in the README.
 */
export const CB_ERRORS: Readonly<Record<CbErrorCode, Rule>> = {
  // --- core codes ---
  invalid_request: { status: 422, body: fieldOr('base') },
  // One body for unknown account, wrong password, guest account and auto-create denied: no enumeration.
  invalid_credentials: { status: 401, body: flat('Unauthorized') },
  token_missing: { status: 401, body: flat('Token is required') }, // [C]
  token_invalid: { status: 401, body: base(SESSION_DOES_NOT_EXIST) }, // [C] the SDKs' expiry check
  token_expired: { status: 401, body: base(SESSION_DOES_NOT_EXIST) }, // [C]
  rate_limited: { status: 429, body: base('Too many requests. Try again later.') },
  overloaded: { status: 503, body: base('Service temporarily unavailable. Try again later.') },
  password_policy: {
    status: 422,
    body: (f) => {
      const v = Array.isArray(f.details.violations) ? (f.details.violations as PolicyViolation[]) : [];
      return { errors: { password: v.length > 0 ? v.map((x) => x.message) : [f.message] } };
    },
  },
  password_mismatch: { status: 422, body: field('old_password', 'is invalid') },
  same_password: { status: 422, body: field('password', 'must differ from the current password') },
  replayed_nonce: { status: 422, body: flat('Unexpected nonce') },
  bad_signature: { status: 422, body: flat('Unexpected signature') }, // [C]
  stale_timestamp: { status: 422, body: field('timestamp', 'invalid timestamp') }, // [C]
  forbidden_scope: { status: 403, body: base(NEED_USER) }, // [C]
  forbidden_kind: { status: 403, body: base(NEED_USER) }, // [C]
  conflict: {
    status: 422,
    body: (f) => ({ errors: { base: [`${f.details.field === 'login' ? 'login' : 'email'} must be unique`] } }), // [C] email form
  },
  invalid_login: {
    status: 422,
    body: (f) => {
      const rule = f.details.rule as LoginRule;
      return { errors: { login: [Object.hasOwn(LOGIN_MESSAGES, rule) ? LOGIN_MESSAGES[rule] : 'is invalid'] } };
    },
  },
  not_found: { status: 404, body: base('Entity you are looking for was not found.') },
  code_invalid: { status: 422, body: base('The code is invalid or has expired.') },
  store_unavailable: { status: 503, body: base('Service temporarily unavailable. Try again later.') },
  capacity: { status: 503, body: base('Service temporarily unavailable. Try again later.') },
  // --- CB-only codes ---
  unknown_application: { status: 401, body: flat('Unknown application or wrong auth_key') },
  validation: { status: 422, body: fieldOr('base') },
  malformed_body: { status: 400, body: (f) => ({ errors: { base: [f.message] } }) },
  provider_unsupported: { status: 422, body: (f) => ({ errors: { base: [f.message] } }) },
  provider_rejected: { status: 422, body: (f) => ({ errors: { base: [f.message] } }) },
};

/**
 * Anything that is neither an AuthError nor a CbError reaching adapter code is an outage or a bug:
 * answer 503 in CB's shape (fail closed), never a 500 page and never the error's text.
 */
function toFailure(e: unknown): Failure {
  if (e instanceof CbError || e instanceof AuthError) return { code: e.code, message: e.message, details: e.details };
  return { code: 'store_unavailable', message: '', details: {} };
}

export function cbErrorResponse(e: unknown): { status: number; body: CbErrorBody; code: CbErrorCode; retryAfter?: number } {
  const f = toFailure(e);
  const rule = CB_ERRORS[f.code];
  let retryAfter: number | undefined;
  if (f.code === 'rate_limited') retryAfter = e instanceof AuthError ? (e.retryAfterSeconds ?? 1) : 1;
  if (rule.status === 503) retryAfter = 1;
  return { status: rule.status, body: rule.body(f), code: f.code, retryAfter };
}

export function sendCbError(res: Response, e: unknown): void {
  if (res.headersSent) return;
  const r = cbErrorResponse(e);
  res.setHeader('Cache-Control', 'no-store');
  if (r.retryAfter !== undefined) res.setHeader('Retry-After', String(r.retryAfter));
  res.status(r.status).json(r.body);
}
