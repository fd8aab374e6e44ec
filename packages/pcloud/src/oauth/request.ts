import type { PageErrorName } from './page-errors';
import { isClientId, type ClientRegistry, type OAuthClient } from './clients';
import { CHALLENGE } from './grants';

export type ResponseType = 'code' | 'token' | 'poll_token';

/** A validated authorization request (from the page's query string, or its form on POST). */
export interface AuthorizeRequest {
  client: OAuthClient;
  responseType: ResponseType;
  /** One of the client's registered URIs, exactly as registered; null = show the code / poll. */
  redirectUri: string | null;
  state: string | null;
  /** poll_token only. */
  requestId: string | null;
  /** PKCE S256 challenge (code only). */
  codeChallenge: string | null;
}

export type Checked = { ok: true; request: AuthorizeRequest } | { ok: false; error: PageErrorName };

const RESPONSE_TYPES: readonly string[] = ['code', 'token', 'poll_token'];
// The JS SDK's request_id is nominally 40 characters of [A-Za-z0-9], but its generator drops ~38% of them
// (it indexes a 62-character alphabet with 0..99), so real ones are about 25 long; 10 keeps them all.
export const REQUEST_ID = /^[A-Za-z0-9_-]{10,128}$/;
const MAX_STATE = 2048;

class BadParam extends Error {}

/** A single-valued parameter: absent, or one string. Repeated or structured values are refused (RFC 6749 §3.1). */
function one(src: Record<string, unknown>, name: string): string | null {
  const v = src[name];
  if (v === undefined) return null;
  if (typeof v !== 'string') throw new BadParam(name);
  return v;
}

/**
 * Validate the request in the order that decides where an error may be shown. Every failure is shown on
 * the page itself and never redirected: an unknown client or redirect URI must not redirect (RFC 6749
 * §4.1.2.1), and the others are mistakes of the app's developer, best shown to whoever is testing it.
 */
export async function checkRequest(registry: ClientRegistry, src: Record<string, unknown>): Promise<Checked> {
  let p: Record<
    'client_id' | 'response_type' | 'redirect_uri' | 'state' | 'request_id' | 'code_challenge' | 'code_challenge_method',
    string | null
  >;
  try {
    p = {
      client_id: one(src, 'client_id'),
      response_type: one(src, 'response_type'),
      redirect_uri: one(src, 'redirect_uri'),
      state: one(src, 'state'),
      request_id: one(src, 'request_id'),
      code_challenge: one(src, 'code_challenge'),
      code_challenge_method: one(src, 'code_challenge_method'),
    };
  } catch (e) {
    if (e instanceof BadParam) return { ok: false, error: 'invalid_parameter' };
    throw e;
  }
  if (p.client_id === null || p.client_id === '') return { ok: false, error: 'missing_client' };
  const client = isClientId(p.client_id) ? await registry.find(p.client_id) : null;
  if (!client) return { ok: false, error: 'invalid_client' };

  // An empty redirect_uri counts as absent (some clients send the empty key).
  const redirectUri = p.redirect_uri === null || p.redirect_uri === '' ? null : p.redirect_uri;
  // Exact string match against a registered URI: no normalisation, no prefix or pattern matching.
  if (redirectUri !== null && !client.redirectUris.includes(redirectUri)) return { ok: false, error: 'invalid_redirect_uri' };

  const responseType = p.response_type ?? '';
  if (!RESPONSE_TYPES.includes(responseType)) return { ok: false, error: 'invalid_response_type' };
  if (responseType === 'token' && redirectUri === null) return { ok: false, error: 'missing_redirect_uri' };

  let requestId: string | null = null;
  if (responseType === 'poll_token') {
    // Per-client opt-in: see OAuthClientConfig.pollToken for the phishing trade-off.
    if (client.pollToken !== true) return { ok: false, error: 'poll_not_allowed' };
    if (p.request_id === null || !REQUEST_ID.test(p.request_id)) return { ok: false, error: 'invalid_request_id' };
    requestId = p.request_id;
  }

  if (p.state !== null && p.state.length > MAX_STATE) return { ok: false, error: 'invalid_state' };

  let codeChallenge: string | null = null;
  if (p.code_challenge !== null || p.code_challenge_method !== null) {
    // S256 only, and explicitly: "plain" gives no protection, and a missing method means plain (RFC 7636 §4.3).
    if (responseType !== 'code' || p.code_challenge === null || !CHALLENGE.test(p.code_challenge) || p.code_challenge_method !== 'S256') {
      return { ok: false, error: 'invalid_pkce' };
    }
    codeChallenge = p.code_challenge;
  }

  return {
    ok: true,
    request: {
      client,
      responseType: responseType as ResponseType,
      redirectUri,
      state: p.state === '' ? null : p.state,
      requestId,
      codeChallenge,
    },
  };
}
