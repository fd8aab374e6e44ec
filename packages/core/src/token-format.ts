import { randomBytes, randomInt } from 'node:crypto';

/**
 * Wire format of a token: `<id>.<secret>`.
 * - id: a decimal safe integer (≤ 16 digits). It is the public handle (pCloud's `tokenid`, logs, listings)
 *   and carries a slot tag (see below) so a clustered store can keep a user's tokens in one slot.
 * - secret: 32 bytes (256 bits) from the CSPRNG, base64url without padding (43 chars).
 * Total ≤ 60 bytes, inside pCloud's 64-byte limit, URL- and cookie-safe.
 * The store only ever sees SHA-256(secret): a dump of the store yields no usable token.
 */
export const SECRET_BYTES = 32;
export const MAX_TOKEN_LENGTH = 64;

/** Number of slot tags; ids are `tag * 2^43 + random43`, so every id stays below 2^53. */
export const SLOT_TAGS = 1024;
const TAG_SPAN = 2 ** 43;

const TOKEN_RE = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  id: string;
  secret: string;
}

/** The slot tag a user's tokens carry: the same for every token of one user. */
export function slotTagOfUser(userId: number): number {
  return userId % SLOT_TAGS;
}

/** The slot tag embedded in a token id (no lookup needed). */
export function slotTagOfTokenId(id: string): number {
  return Math.floor(Number(id) / TAG_SPAN);
}

/** A fresh token id for `userId` (or a random tag when there is no user yet). */
export function newTokenId(userId: number | null): string {
  const tag = userId === null ? randomInt(SLOT_TAGS) : slotTagOfUser(userId);
  // randomInt's range is 1..2^43-1 so the id is never 0 and never collides with another tag's range.
  return String(tag * TAG_SPAN + randomInt(1, TAG_SPAN));
}

export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function formatToken(id: string, secret: string): string {
  return `${id}.${secret}`;
}

/** Parse without throwing: null for anything that is not a well-formed token (type, length, alphabet). */
export function parseToken(value: unknown): ParsedToken | null {
  if (typeof value !== 'string' || value.length > MAX_TOKEN_LENGTH) return null;
  const m = TOKEN_RE.exec(value);
  if (!m || !Number.isSafeInteger(Number(m[1]))) return null;
  return { id: m[1], secret: m[2] };
}

/** A random URL-safe string for codes and CSRF values: `bytes` of entropy, base64url. */
export function randomCode(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
