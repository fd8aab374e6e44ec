import type { Request } from 'express';

/**
 * THE reading of a parsed request body (what `express.json` / `express.urlencoded` left on `req.body`) for
 * every route set: its fields when it is a plain object; `undefined` when there is none (no body, or no
 * parser ran); `null` when it is something else (a JSON array, string or number), which each protocol
 * answers in its own way (an empty set of fields, or its own "bad body" error).
 */
export function bodyFields(req: Request): Record<string, unknown> | null | undefined {
  const b: unknown = req.body;
  if (b === undefined || b === null) return undefined;
  return typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : null;
}
