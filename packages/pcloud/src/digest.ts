import { constantTimeEqual } from '@authmount/core';
import { createHash, randomInt } from 'node:crypto';

/** Digests are valid for 30 seconds (D-getdigest) and single-use (our decision, README). */
export const DIGEST_TTL_MS = 30_000;
export const DIGEST_PURPOSE = 'pcloud:digest';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const DIGEST_LENGTH = 40; // ≈238 bits; the docs example is 41 alphanumerics and clients treat it as opaque

/** A fresh digest: alphanumeric only, so it survives any client's URL or form encoding untouched. */
export function newDigest(): string {
  let s = '';
  for (let i = 0; i < DIGEST_LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

function sha1Hex(s: string): string {
  return createHash('sha1').update(s, 'utf8').digest('hex');
}

/**
 * pCloud's passworddigest (docs "Authentication", pclsync pdiff.c, tomgross/pcloud):
 * sha1( password ‖ sha1hex(lowercase(username)) ‖ digest ), lowercase hex.
 */
export function passwordDigest(password: string, username: string, digest: string): string {
  return sha1Hex(password + sha1Hex(username.toLowerCase()) + digest);
}

/** Constant-time comparison of two 40-hex-char digests; the client's may be in any case. */
export function sameDigest(expected: string, given: string): boolean {
  if (!/^[0-9a-fA-F]{40}$/.test(given)) return false;
  return constantTimeEqual(expected, given.toLowerCase());
}
