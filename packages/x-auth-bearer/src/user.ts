import type { Account, JsonValue } from '@authmount/core';

/**
 * The vendor's "User" object (SaleBasis ?p=476). `pass` is write-only there and never returned; we never
 * return any password or hash either.
 */
export interface XAuthUser {
  id: number;
  login: string | null;
  email: string | null;
  tel: string | null;
  name: string | null;
  /** The stored organization object as is (vendor fields: id, registerDate, prefix, name, taxId, ...). */
  organization: { [k: string]: JsonValue } | null;
  /** Permissions joined with ';', e.g. "main.admin;main.users.show"; "" when the account has none. */
  permissions: string;
}

/**
 * Reshape the user object: receives the account (never its password hash) and the default object, returns
 * what goes on the wire as `user`. May be async; an AuthError it throws is answered in the adapter's format.
 */
export type UserHook = (account: Account, user: XAuthUser) => object | Promise<object>;

// Stripped from whatever a hook returns: a password must not reach the wire even through app code.
const NEVER_SENT = ['pass', 'password', 'passwordHash'];

function text(v: JsonValue | undefined): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function permissions(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.filter((p): p is string => typeof p === 'string' && p.length > 0).join(';');
  return '';
}

function organization(v: JsonValue | undefined): XAuthUser['organization'] {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
}

/** The default `user`: identity from the account, the rest from its `attributes` bag. */
export function defaultUser(account: Account): XAuthUser {
  const a = account.attributes;
  return {
    id: account.id,
    login: account.login,
    email: account.email,
    tel: text(a.tel),
    name: text(a.name),
    organization: organization(a.organization),
    permissions: permissions(a.permissions),
  };
}

export async function shapeUser(account: Account, hook: UserHook | undefined): Promise<object> {
  const base = defaultUser(account);
  if (!hook) return base;
  const shaped = await hook(account, base);
  if (shaped === null || typeof shaped !== 'object' || Array.isArray(shaped)) {
    throw new TypeError('the x-auth-bearer user hook must return an object');
  }
  const out: Record<string, unknown> = { ...shaped };
  for (const k of NEVER_SENT) delete out[k];
  return out;
}
