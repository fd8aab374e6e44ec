import { constantTimeEqual, sha256 } from '@authmount/core';
import type { CbApp, CbAppRegistry, CbTokenOptions } from './options';
import { MIN_AUTH_SECRET } from './options-schema';

/** Constant-time comparison of two strings of any length: their SHA-256 digests, so the length stays hidden too. */
export function sameSecret(a: string, b: string): boolean {
  return constantTimeEqual(sha256(a, 'base64url'), sha256(b, 'base64url'));
}

function checkApp(app: CbApp): void {
  const id = String(app.applicationId ?? '');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new TypeError('cbToken: applicationId must be 1-64 letters, digits, "-" or "_"');
  if (typeof app.authKey !== 'string' || app.authKey.length === 0) throw new TypeError(`cbToken: application ${id} needs an authKey`);
  const hasSecret = typeof app.authSecret === 'string' && app.authSecret.length > 0;
  if (!hasSecret && app.allowUnsigned !== true) {
    throw new TypeError(`cbToken: application ${id} has no authSecret, so it must set allowUnsigned: true`);
  }
  // A short HMAC key is guessable offline from one signed request (same rule as the options schema).
  if (hasSecret && app.authSecret!.length < MIN_AUTH_SECRET) {
    throw new TypeError(`cbToken: application ${id}: authSecret must be at least ${MIN_AUTH_SECRET} characters`);
  }
  for (const a of app.signatureAlgorithms ?? []) {
    if (a !== 'sha1' && a !== 'sha256') throw new TypeError(`cbToken: unknown signature algorithm for application ${id}`);
  }
}

/** A registry over a fixed list. Auth keys are indexed by their SHA-256, so lookups do not leak them by timing. */
export function staticApps(apps: readonly CbApp[]): CbAppRegistry {
  const byId = new Map<string, CbApp>();
  const byKey = new Map<string, CbApp>();
  for (const app of apps) {
    checkApp(app);
    const id = String(app.applicationId);
    const key = sha256(app.authKey, 'hex');
    if (byId.has(id)) throw new TypeError(`cbToken: duplicate applicationId ${id}`);
    if (byKey.has(key)) throw new TypeError(`cbToken: two applications share an authKey`);
    const frozen = Object.freeze({ ...app });
    byId.set(id, frozen);
    byKey.set(key, frozen);
  }
  return {
    findById: (id) => byId.get(id) ?? null,
    findByAuthKey: (authKey) => byKey.get(sha256(authKey, 'hex')) ?? null,
  };
}

export function toRegistry(apps: CbTokenOptions['apps']): CbAppRegistry {
  if (Array.isArray(apps)) return staticApps(apps);
  const r = apps as CbAppRegistry;
  if (typeof r.findById !== 'function' || typeof r.findByAuthKey !== 'function') {
    throw new TypeError('cbToken: apps must be an array of applications or a registry with findById and findByAuthKey');
  }
  return r;
}

/** The application's id as stored on tokens, and as a number on the wire when it is numeric (CB's ids are). */
export const appIdOf = (app: CbApp): string => String(app.applicationId);
export function wireAppId(id: string): number | string {
  return /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id;
}
