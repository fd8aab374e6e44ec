import { constantTimeEqual, randomCode } from '@authmount/core';
import { parse as parseCookies, serialize } from 'cookie';
import type { Request, Response } from 'express';

/**
 * CSRF protection of the authorize form: a double-submit token. The page sets a random value in an
 * HttpOnly, SameSite=Lax cookie (Secure on https) scoped to the authorize path, and repeats it in a hidden
 * field; a POST is accepted only when both are present and equal. A cross-site page can neither read the
 * cookie nor make the browser send it with a cross-site POST (SameSite=Lax), so it cannot forge the pair —
 * which is what stops login CSRF (approving with the attacker's own account in the victim's browser).
 * No server-side session is needed, so the page works the same on every process.
 */
const COOKIE = 'pcloud_oauth_csrf';
const VALUE = /^[A-Za-z0-9_-]{43}$/;
const MAX_AGE_S = 60 * 60;

function cookiePath(req: Request): string {
  // Only sent to the authorize page: never to the pCloud methods, which read every cookie as a parameter.
  return `${req.baseUrl}/oauth2`;
}

function fromCookie(req: Request): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  try {
    const v = parseCookies(header)[COOKIE];
    return v !== undefined && VALUE.test(v) ? v : null;
  } catch {
    return null;
  }
}

/** The token for a form being rendered: the browser's current one (several tabs keep working) or a new one. */
export function csrfFor(req: Request, res: Response): string {
  const value = fromCookie(req) ?? randomCode(32);
  res.append(
    'Set-Cookie',
    serialize(COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: cookiePath(req), maxAge: MAX_AGE_S }),
  );
  return value;
}

export function csrfValid(req: Request, field: unknown): boolean {
  const cookie = fromCookie(req);
  if (cookie === null || typeof field !== 'string' || !VALUE.test(field)) return false;
  return constantTimeEqual(cookie, field);
}

/** The flow is over: drop the cookie. */
export function clearCsrf(req: Request, res: Response): void {
  res.append(
    'Set-Cookie',
    serialize(COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: req.secure, path: cookiePath(req), maxAge: 0 }),
  );
}
