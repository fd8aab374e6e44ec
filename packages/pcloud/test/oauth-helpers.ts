import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { TestStore } from '../../../test-support/stores';
import type { OAuthClientConfig, OAuthOptions } from '../src';
import { harness, PW, type Harness, type HarnessOptions } from './helpers';
import { csrfOf } from '../../../test-support/protocol-clients';

export { csrfOf };

export const A = 'alice@example.com';
export const PAGE = '/pcloud/oauth2/authorize';

/** A client whose name needs escaping everywhere it is shown. */
export const CLIENT: OAuthClientConfig = {
  clientId: 'photo-app',
  clientSecret: 'photo-app-secret-0123456789',
  redirectUris: ['https://photos.example/cb', 'http://localhost:8123/cb?mode=web'],
  name: 'Photo <App> & "Co"',
  // The poll_token tests use this client; OTHER keeps the default (off).
  pollToken: true,
};
export const OTHER: OAuthClientConfig = {
  clientId: 'other-app',
  clientSecret: 'other-app-secret-0123456789',
  redirectUris: ['https://other.example/cb'],
  name: 'Other',
};

export function oauthHarness(ts: TestStore, oauth: Partial<OAuthOptions> = {}, o: HarnessOptions = {}): Harness {
  return harness(ts, { ...o, adapter: { ...o.adapter, oauth: { clients: [CLIENT, OTHER], ...oauth } } });
}

export type Query = Record<string, string>;

export const codeQuery = (extra: Query = {}): Query => ({
  client_id: CLIENT.clientId,
  response_type: 'code',
  redirect_uri: CLIENT.redirectUris[0],
  state: 'st-1',
  ...extra,
});

/** The CSRF pair a rendered form hands out: the hidden field and the cookie to send back. */
export interface SubmitOptions {
  /** Override the CSRF field (forged) or the cookie ('' = none). */
  csrf?: string;
  cookie?: string;
  /** Fields sent instead of the query's (tampering tests). */
  fields?: Query;
}

/** Open the page like a browser, then submit its form with `form` (decision, username, password). */
export async function submit(h: Harness, query: Query, form: Query, o: SubmitOptions = {}): Promise<request.Response> {
  const page = await request(h.app).get(PAGE).query(query);
  if (page.status !== 200) throw new Error(`the page answered ${page.status}: ${page.text.slice(0, 300)}`);
  const pair = csrfOf(page);
  const req = request(h.app).post(PAGE).type('form');
  const cookie = o.cookie ?? pair.cookie;
  if (cookie !== '') req.set('Cookie', cookie);
  return req.send({ ...(o.fields ?? query), csrf: o.csrf ?? pair.field, ...form });
}

export function allow(h: Harness, query: Query, username = A, password = PW, o: SubmitOptions = {}): Promise<request.Response> {
  return submit(h, query, { decision: 'allow', username, password }, o);
}

/** The redirect's parameters (query, or fragment for the token flow). */
export function redirectParams(res: request.Response): { base: string; query: URLSearchParams; fragment: URLSearchParams } {
  expect(res.status).toBe(303);
  const location = res.headers.location as string;
  const [beforeHash, hash = ''] = location.split('#');
  const [base, search = ''] = beforeHash.split('?');
  return { base, query: new URLSearchParams(search), fragment: new URLSearchParams(hash) };
}

/** Log in and allow a code request; the code from the redirect. */
export async function codeFor(h: Harness, extra: Query = {}): Promise<string> {
  const res = await allow(h, codeQuery(extra));
  const code = redirectParams(res).query.get('code');
  if (!code) throw new Error(`no code: ${res.status} ${res.text.slice(0, 200)}`);
  return code;
}

export function exchange(h: Harness, params: Record<string, string>): request.Test {
  return h.get('oauth2_token', params);
}

/** A full code flow: an access token for alice. */
export async function accessTokenFor(h: Harness, client: OAuthClientConfig = CLIENT): Promise<string> {
  const res = await allow(h, { client_id: client.clientId, response_type: 'code', redirect_uri: client.redirectUris[0] });
  const code = redirectParams(res).query.get('code') as string;
  const r = await exchange(h, { client_id: client.clientId, client_secret: client.clientSecret, code });
  if (r.body.result !== 0) throw new Error(`exchange failed: ${JSON.stringify(r.body)}`);
  return r.body.access_token as string;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A JS-SDK-like request_id. */
export function requestId(): string {
  return randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
}
