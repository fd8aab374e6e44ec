import { AuthError } from '@authmount/core';
import { bodyFields } from '@authmount/express';
import type { Request, RequestHandler } from 'express';
import { XAuthError } from './errors';

export const HEADER = 'x-auth-bearer';

function invalid(field: string, message: string): AuthError {
  return new AuthError('invalid_request', message, { field });
}

/**
 * Refuse a body of the wrong media type before any parser sees it. A request without a body passes (its
 * fields are then simply missing), so `DELETE`-style clients that send no body are not punished.
 */
export function requireBodyType(type: string, name: string): RequestHandler {
  return (req, _res, next) => {
    // req.is() is null without a body and false for any other (or no) Content-Type. An empty body
    // (Content-Length: 0, as many clients send on a bare POST/PUT) counts as no body.
    const empty = req.headers['content-length'] === '0';
    if (!empty && req.is(type) === false)
      return next(new XAuthError('unsupported_media_type', `This method expects Content-Type: ${name}.`));
    next();
  };
}

/** The request body as a plain object; anything else (a JSON array, nothing) reads as no fields. */
export function bodyOf(req: Request): Record<string, unknown> {
  const b = bodyFields(req);
  if (b === null) throw invalid('body', 'The request body must be an object.');
  return b ?? {};
}

/** A required non-empty form string (login, pass). Repeated fields arrive as arrays and are refused. */
export function requiredString(fields: Record<string, unknown>, name: string): string {
  const v = fields[name];
  if (typeof v !== 'string' || v.length === 0) throw invalid(name, `${name} must be a non-empty string.`);
  return v;
}

/**
 * `longtoken`: the vendor sends the form strings 'true'/'false' in POST and does not say which JSON type PUT
 * uses, so both booleans and those strings are accepted (case-insensitive). Absent, null or '' means false.
 * Anything else is an error rather than a silent 24 h, so a client typo is noticed.
 */
export function parseLongtoken(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  throw invalid('longtoken', 'longtoken must be true or false.');
}

function optionalToken(v: unknown, where: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw invalid('token', `The token ${where} must be a single string.`);
  return v;
}

/**
 * The token a /login call is about: `explicit` (the documented query parameter or JSON field) or the
 * X-Auth-Bearer header. When both are given they must agree, so a client can never act on one token while
 * believing it acts on the other (e.g. deleting the wrong one).
 */
export function presentedToken(req: Request, explicit: unknown, where: string): string {
  const fromParam = optionalToken(explicit, where);
  const fromHeader = optionalToken(req.headers[HEADER], 'header');
  if (fromParam !== undefined && fromHeader !== undefined && fromParam !== fromHeader) {
    throw invalid('token', `The token ${where} and the X-Auth-Bearer header differ.`);
  }
  const token = fromParam ?? fromHeader;
  if (token === undefined) throw invalid('token', `A token is required (${where} or the X-Auth-Bearer header).`);
  return token;
}
