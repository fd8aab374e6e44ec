import { createHmac } from 'node:crypto';
import type request from 'supertest';

/**
 * Client-side helpers written independently of the adapters (a test must not sign or parse with the code
 * it checks). Shared by the package tests and the cross-process tests in examples/.
 */

/** Sign like CB SDK v3 (flattened, sorted `key=value`, HMAC-SHA1 hex). */
export function v3Sign(params: Record<string, unknown>, secret = 'SECRET', algo: 'sha1' | 'sha256' = 'sha1'): string {
  const msg = Object.keys(params)
    .filter((k) => k !== 'signature')
    .map((k) => {
      const v = params[k];
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        return Object.keys(o)
          .map((c) => `${k}[${c}]=${String(o[c])}`)
          .sort()
          .join('&');
      }
      return `${k}=${String(v)}`;
    })
    .sort()
    .join('&');
  return createHmac(algo, secret).update(msg).digest('hex');
}

/** The CSRF field and cookie of a pCloud OAuth authorize page. */
export function csrfOf(res: request.Response): { field: string; cookie: string } {
  const field = /name="csrf" value="([^"]+)"/.exec(res.text)?.[1];
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('pcloud_oauth_csrf='));
  if (!field || !set) throw new Error(`no CSRF pair in the page (status ${res.status})`);
  return { field, cookie: set.split(';')[0] };
}
