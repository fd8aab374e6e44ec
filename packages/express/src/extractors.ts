import type { Request } from 'express';

/**
 * Pulls a raw credential out of a request. Returns undefined when this extractor finds nothing, so the
 * next one is tried. It never validates: that is core's job, and garbage is rejected there cheaply.
 */
export type CredentialExtractor = (req: Request) => unknown;

const BEARER = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i;

/** `Authorization: Bearer <token>` (RFC 6750 §2.1). A malformed header is passed on as-is to be rejected. */
export const bearer: CredentialExtractor = (req) => {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = BEARER.exec(h);
  return m ? m[1] : h;
};

/** A named request header, e.g. `header('x-auth-bearer')`. */
export function header(name: string): CredentialExtractor {
  const key = name.toLowerCase();
  return (req) => req.headers[key];
}
