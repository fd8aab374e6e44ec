import type { TokenRecord } from '@authmount/core';

// Most tokens share one of a few scope lists; sharing the array saves ~100 bytes per token.
const internedScopes = new Map<string, readonly string[]>();

export function intern(scopes: readonly string[]): readonly string[] {
  const key = scopes.join(' ');
  let s = internedScopes.get(key);
  if (!s) {
    s = Object.freeze([...scopes]);
    if (internedScopes.size < 1000) internedScopes.set(key, s);
  }
  return s;
}

export const EMPTY_DATA = Object.freeze({}) as TokenRecord['data'];

/** A data bag as stored: the shared empty object for the common case, else a private copy. */
export function ownData(data: TokenRecord['data']): TokenRecord['data'] {
  return Object.keys(data).length ? { ...data } : EMPTY_DATA;
}
