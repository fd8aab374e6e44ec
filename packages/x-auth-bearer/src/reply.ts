import type { Response } from 'express';

/**
 * `validTo` as ISO-8601 UTC without milliseconds ("2026-01-02T00:00:00Z"), the one date format the vendor's
 * docs show (`registerDate`). Dropping the milliseconds rounds down, so a client never believes a token
 * lives longer than it does.
 */
export function formatValidTo(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The reply of POST, GET and PUT /login. It carries a token, so it must never be cached. */
export function sendLoginReply(res: Response, token: string, expiresAt: number, user: object): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({ token, validTo: formatValidTo(expiresAt), user });
}
