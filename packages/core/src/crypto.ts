import * as crypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The two cryptographic primitives every package uses, written once: SHA-256 of a string and a
 * constant-time comparison. Protocol adapters import them from here instead of calling node:crypto
 * their own way (token hashes, client secrets, PKCE, CSRF values, signatures, digests).
 */

export type DigestEncoding = 'hex' | 'base64' | 'base64url';

/** `crypto.hash` (Node ≥ 20.12 / 21.7): a one-shot digest with no Hash object; createHash where it is missing. */
type OneShot = (algorithm: string, data: string, outputEncoding: DigestEncoding) => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** SHA-256 of a string's UTF-8 bytes through a Hash object (the fallback; exported so a test can compare the two). */
export function sha256WithHashObject(data: string, encoding: DigestEncoding): string {
  return createHash('sha256').update(data).digest(encoding);
}

/** SHA-256 of a string's UTF-8 bytes, in `encoding`: the one-shot form when the runtime has it. */
export const sha256: (data: string, encoding: DigestEncoding) => string = oneShot
  ? (data, encoding) => oneShot('sha256', data, encoding)
  : sha256WithHashObject;

/**
 * base64url SHA-256 of a high-entropy secret (a token's secret, an OAuth client secret): the only form a
 * store keeps. A plain hash suffices because the input is random, not a password. Runs on every request,
 * so it calls the one-shot digest directly rather than through `sha256`'s encoding argument.
 */
export const hashSecret: (secret: string) => string = oneShot
  ? (secret) => oneShot('sha256', secret, 'base64url')
  : (secret) => sha256WithHashObject(secret, 'base64url');

/**
 * Constant-time equality of two strings (as UTF-8 bytes) or byte arrays: digests, signatures, CSRF
 * values. Inputs of different lengths are unequal at once; that length is not a secret where this is
 * used (fixed-size digests and signatures). To compare secrets whose length is secret, compare their
 * `sha256` digests instead.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ba = typeof a === 'string' ? Buffer.from(a) : a;
  const bb = typeof b === 'string' ? Buffer.from(b) : b;
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
