import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { CbError, sendCbError } from './errors';

/** Run an async handler; any failure is answered in CB's format (unknown errors: 503, fail closed). */
export const handle =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res) => {
    fn(req, res).catch((e: unknown) => sendCbError(res, e));
  };

/** JSON (what the SDKs send) and form bodies with `user[login]=` fields (PHP clients, QB docs). */
export function bodyParsers(limit: string): RequestHandler[] {
  return [express.json({ limit }), express.urlencoded({ extended: true, limit, parameterLimit: 100 })];
}

/** Body-parser failures become CB-style 400s, never an HTML page or a 500. */
export const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = status === 413 ? 'Request body is too large' : 'Request body could not be parsed';
    return sendCbError(res, new CbError('malformed_body', message));
  }
  if (res.headersSent) return next(err);
  sendCbError(res, err);
};

/** Replies that carry a token (or user data) must not be cached by any proxy or browser. */
export function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
}

/** Free text kept on the token for listings: the SDK header or the User-Agent. */
export function deviceOf(req: Request): string {
  return req.get('user-agent') ?? req.get('cb-sdk') ?? '';
}
