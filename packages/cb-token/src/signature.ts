import { constantTimeEqual } from '@authmount/core';
import { createHmac } from 'node:crypto';
import { CbError, invalidParam } from './errors';

export type SignatureAlgorithm = 'sha1' | 'sha256';

const HEX_LENGTH: Readonly<Record<SignatureAlgorithm, number>> = { sha1: 40, sha256: 64 };

/**
 * Parameter names that can appear in a signed body: no `[`, `]`, `=` or `&` (the characters of the
 * signed string's own syntax), not empty. A top-level key `"user[login]"` would otherwise sign exactly like
 * `{"user":{"login":…}}`.
 */
const NAME = /^[^[\]=&]+$/;
/** The parents that nest one level (`user[login]`, `keys[token]`, `firebase_phone[project_id]`). */
const NESTED_PARENT = /^(?:user|keys|firebase_[a-z0-9_]+)$/;
/**
 * A value holding `&` followed (before the next `&`) by `=` reads in the signed string like one more
 * parameter: `{"user":{"login":"john&user[password]=pw"}}` would sign like login john + password pw. A value
 * with only `=`, or only `&`, is unambiguous (names hold neither), so passwords like `p&ss` or `a=b` stay fine.
 */
const SPLITS_INTO_PARAMETERS = /&[^&]*=/;

type Scalar = string | number | boolean | null;

/** The field name to show for a parameter; odd names are not echoed back. */
function fieldName(name: string): string {
  return /^[A-Za-z0-9_[\]]{1,80}$/.test(name) ? name : 'base';
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * Check that `params` has only the shape the protocol has, so that its signed string stands for it alone:
 * scalars at the top level, one level of scalars under `user`, `keys` and `firebase_*`, names without
 * `[ ] = &`, and, when `signed`, no value that would read as extra parameters. Throws a CB `validation`
 * error (422) naming the parameter. Looks at most two levels down and never recurses, so a body nested
 * 30,000 levels deep costs one look at its first level.
 */
export function assertCanonical(params: Readonly<Record<string, unknown>>, signed: boolean): void {
  const value = (name: string, v: Scalar) => {
    if (signed && typeof v === 'string' && SPLITS_INTO_PARAMETERS.test(v)) {
      throw invalidParam(fieldName(name), 'cannot contain & followed by = in a signed request');
    }
  };
  for (const key of Object.keys(params)) {
    if (!NAME.test(key)) throw invalidParam('base', 'Parameter names cannot contain [, ], = or &');
    const v = params[key];
    if (isScalar(v)) {
      value(key, v);
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v) || !NESTED_PARENT.test(key)) throw invalidParam(fieldName(key));
    const nested = v as Record<string, unknown>;
    for (const child of Object.keys(nested)) {
      if (!NAME.test(child)) throw invalidParam('base', 'Parameter names cannot contain [, ], = or &');
      const c = nested[child];
      if (!isScalar(c)) throw invalidParam(fieldName(`${key}[${child}]`));
      value(`${key}[${child}]`, c);
    }
  }
}

/**
 * The string CB clients sign (SDK v3 `signParams`, the Flutter SDK and the official example agree):
 * every parameter except `signature`, nested objects flattened one level as `parent[child]`, each as
 * `key=value` with the raw (not URL-encoded) value in its plain string form, sorted, joined with `&`.
 * Values are stringified from the PARSED body, so `"nonce":2289` and `"nonce":"2289"` sign the same.
 * Only for parameters that pass `assertCanonical(params, true)` (it is called here): any other shape
 * could share its string with a different body, and throws a CB `validation` error.
 */
export function stringToSign(params: Readonly<Record<string, unknown>>): string {
  const { signature: _ignored, ...signedParams } = params;
  assertCanonical(signedParams, true);
  const parts: string[] = [];
  for (const key of Object.keys(signedParams)) {
    const value = signedParams[key];
    if (value !== null && typeof value === 'object') {
      const nested = value as Record<string, Scalar>;
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
  let message: string;
  try {
    message = stringToSign(params);
  } catch (e) {
    // A body that cannot be signed unambiguously has no valid signature.
    if (e instanceof CbError) return false;
    throw e;
  }
  const expected = createHmac(algorithm, secret).update(message, 'utf8').digest();
  return constantTimeEqual(Buffer.from(signature, 'hex'), expected);
}
