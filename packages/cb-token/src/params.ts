import { bodyFields } from '@authmount/express';
import type { Request } from 'express';
import { invalidParam } from './errors';

export type Params = Readonly<Record<string, unknown>>;

const EMPTY: Params = Object.freeze({});

/** The parsed body (JSON or form) as a plain object; anything else (array, string, absent) is empty. */
export function bodyOf(req: Request): Params {
  return bodyFields(req) ?? EMPTY;
}

const has = (p: Params, key: string) => Object.prototype.hasOwnProperty.call(p, key) && p[key] !== undefined;

/** A nested object parameter such as `user` (JSON object, or `user[...]` form fields). */
export function objectParam(p: Params, key: string): Params | undefined {
  if (!has(p, key) || p[key] === null || p[key] === '') return undefined;
  const v = p[key];
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParam(key);
  return v as Params;
}

/**
 * A scalar parameter as a string. CB clients send numbers and strings interchangeably (SDK v3 sends
 * `nonce` as a number, Flutter as a string), so finite numbers are accepted and stringified.
 * Empty strings count as absent, like CB's "cannot be blank".
 */
export function stringParam(p: Params, key: string, opts: { max?: number; field?: string } = {}): string | undefined {
  if (!has(p, key) || p[key] === null) return undefined;
  const v = p[key];
  const fieldName = opts.field ?? key;
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
  else throw invalidParam(fieldName);
  if (s.length === 0) return undefined;
  if (s.length > (opts.max ?? 1024)) throw invalidParam(fieldName, 'is too long');
  // No text a client sends may carry NUL: not every store can keep it (core's assertStorable).
  if (s.includes('\u0000')) throw invalidParam(fieldName);
  return s;
}

export function requiredString(p: Params, key: string, opts: { max?: number; field?: string } = {}): string {
  const s = stringParam(p, key, opts);
  if (s === undefined) throw invalidParam(opts.field ?? key, 'cannot be blank');
  return s;
}

/** A one-level object of scalars (`keys[...]`, `firebase_phone[...]`) as strings; undefined when absent. */
export function stringRecord(p: Params, key: string): Record<string, string> | undefined {
  const o = objectParam(p, key);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(o)) {
    const s = stringParam(o, k, { field: `${key}[${k}]`, max: 8192 });
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** "1", 1, true, "true" (guest flags as different clients send them). */
export function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}
