import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureAlgorithm = 'sha1' | 'sha256';

const HEX_LENGTH: Readonly<Record<SignatureAlgorithm, number>> = { sha1: 40, sha256: 64 };

/**
 * The string CB clients sign (SDK v3 `signParams`, the Flutter SDK and the official example agree):
 * every parameter except `signature`, nested objects flattened one level as `parent[child]`, each as
 * `key=value` with the raw (not URL-encoded) value in its plain string form, sorted, joined with `&`.
 * Values are stringified from the PARSED body, so `"nonce":2289` and `"nonce":"2289"` sign the same.
 */
export function stringToSign(params: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const key of Object.keys(params)) {
    if (key === 'signature') continue;
    const value = params[key];
    if (value !== null && typeof value === 'object') {
      const nested = value as Record<string, unknown>;
      for (const child of Object.keys(nested)) parts.push(`${key}[${child}]=${String(nested[child])}`);
    } else {
      parts.push(`${key}=${String(value)}`);
    }
  }
  return parts.sort().join('&');
}

/** Lowercase hex HMAC of `message` with `secret` (what the SDKs send). */
export function sign(message: string, secret: string, algorithm: SignatureAlgorithm = 'sha1'): string {
  return createHmac(algorithm, secret).update(message, 'utf8').digest('hex');
}

/**
 * Verify `signature` over `params` in constant time. The algorithm is picked by the signature's length
 * among the `allowed` ones, so a SHA-256 signature is only considered when the application enables it.
 */
export function verifySignature(
  params: Readonly<Record<string, unknown>>,
  signature: unknown,
  secret: string,
  allowed: readonly SignatureAlgorithm[],
): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-fA-F]+$/.test(signature)) return false;
  const algorithm = allowed.find((a) => HEX_LENGTH[a] === signature.length);
  if (!algorithm) return false;
  const expected = createHmac(algorithm, secret).update(stringToSign(params), 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
