import type { Request } from 'express';

/**
 * Pulls a raw credential out of a request. Returns undefined when this extractor finds nothing, so the
 * next one is tried. It never validates: that is core's job, and garbage is rejected there cheaply.
 */
export type CredentialExtractor = (req: Request) => unknown;

const BEARER = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i;

/**
 * THE parser of `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive): the
 * token, or null when the header is absent or of another scheme (e.g. Basic from a proxy).
 */
export function bearerToken(header: string | undefined): string | null {
  const m = header === undefined ? null : BEARER.exec(header);
  return m ? m[1] : null;
}

/** `Authorization: Bearer <token>`. A header of another form is passed on as-is, to be rejected as a token. */
export const bearer: CredentialExtractor = (req) => {
  const h = req.headers.authorization;
  return h === undefined ? undefined : (bearerToken(h) ?? h);
};

/** A named request header, e.g. `header('x-auth-bearer')`. */
export function header(name: string): CredentialExtractor {
  const key = name.toLowerCase();
  return (req) => req.headers[key];
}
