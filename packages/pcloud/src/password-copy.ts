import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The reversible password copy that digest login needs (opt-in, see README "Security"): AES-256-GCM
 * under a server key that never enters the store. Format: `v1.<iv>.<ciphertext>.<tag>`, base64url parts.
 * A store dump alone yields nothing; the dump plus the key yields every enabled user's password, which
 * is the price of pCloud's digest scheme.
 */
const VERSION = 'v1';
const AAD = Buffer.from('authmount-pcloud-password-copy-v1');

export type KeyInput = Buffer | Uint8Array | string;

/** A 32-byte key given as bytes, or as a string of 64 hex characters or 43/44 base64(url) characters. */
export function parseKey(key: KeyInput): Buffer {
  let buf: Buffer;
  if (typeof key === 'string') {
    buf = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  } else {
    buf = Buffer.from(key);
  }
  if (buf.length !== 32) {
    throw new TypeError('pcloud: digest.key must be 32 bytes (AES-256), as bytes, 64 hex characters or base64');
  }
  return buf;
}

export function seal(key: Buffer, password: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(AAD);
  const ct = Buffer.concat([c.update(password, 'utf8'), c.final()]);
  return [VERSION, iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.');
}

/** The password, or null for anything that is not a copy sealed with this key (tampered, other key, garbage). */
export function open(key: Buffer, sealed: unknown): string | null {
  if (typeof sealed !== 'string') return null;
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1], 'base64url'));
    d.setAAD(AAD);
    d.setAuthTag(Buffer.from(parts[3], 'base64url'));
    return Buffer.concat([d.update(Buffer.from(parts[2], 'base64url')), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}
