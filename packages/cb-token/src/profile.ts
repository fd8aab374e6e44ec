import type { JsonValue } from '@authmount/core';
import { invalidParam } from './errors';
import { stringParam, type Params } from './params';

/**
 * CB's profile fields (sign-up `user[...]`), stored in the user's `attributes` bag under the same names.
 * Unknown fields are ignored; `login`, `email` and `password` are core fields handled by the caller;
 * `is_guest`, `provider` and `provider_uid` are set by the server only.
 */
type Kind = 'string' | 'scalar' | 'integer';
const FIELDS: ReadonlyArray<readonly [name: string, kind: Kind, max: number]> = [
  ['full_name', 'string', 200],
  ['phone', 'string', 64],
  ['website', 'string', 2048],
  ['custom_data', 'string', 16384],
  ['timezone', 'scalar', 64],
  ['external_user_id', 'integer', 0],
  ['external_id', 'string', 256],
  ['facebook_id', 'string', 64],
  ['twitter_id', 'string', 64],
  ['avatar', 'string', 2048],
  ['blob_id', 'scalar', 64],
];

const MAX_TAGS = 32;
const MAX_TAG = 64;

function tags(v: unknown): string[] {
  const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : null;
  if (!list || list.length > MAX_TAGS * 2) throw invalidParam('tag_list');
  const out = new Set<string>();
  for (const t of list) {
    if (typeof t !== 'string' && typeof t !== 'number') throw invalidParam('tag_list');
    const s = String(t).trim();
    if (s.length > MAX_TAG) throw invalidParam('tag_list', 'is too long');
    if (s.includes('\u0000')) throw invalidParam('tag_list');
    if (s) out.add(s);
  }
  if (out.size > MAX_TAGS) throw invalidParam('tag_list', 'has too many tags');
  return [...out];
}

export function profileAttributes(user: Params): Record<string, JsonValue> {
  const attrs: Record<string, JsonValue> = {};
  for (const [name, kind, max] of FIELDS) {
    const v = user[name];
    if (v === undefined || v === null || v === '') continue;
    if (kind === 'integer') {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]{1,16}$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) throw invalidParam(name);
      attrs[name] = n;
    } else if (kind === 'scalar' && typeof v === 'number') {
      if (!Number.isFinite(v)) throw invalidParam(name);
      attrs[name] = v;
    } else {
      const s = stringParam(user, name, { max });
      if (s !== undefined) attrs[name] = s;
    }
  }
  if (user.tag_list !== undefined && user.tag_list !== null && user.tag_list !== '') attrs.user_tags = tags(user.tag_list);
  return attrs;
}
