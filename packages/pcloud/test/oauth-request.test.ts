import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { clearCsrf, csrfFor, csrfValid } from '../src/oauth/csrf';
import { CHALLENGE, pkceMatches } from '../src/oauth/grants';
import { checkRequest, REQUEST_ID } from '../src/oauth/request';
import type { ClientRegistry, OAuthClient } from '../src/oauth/clients';

// The OAuth checks as functions, at their edges: every way an authorization request can be refused and in
// which order, PKCE S256 against RFC 7636's own example, and the CSRF double submit. The HTTP behaviour
// of the same code (where errors are shown, redirects, the browser flow) is in oauth-authorize.test.ts and
// oauth-token.test.ts.

const CLIENT: OAuthClient = {
  clientId: 'app_1',
  name: 'App',
  redirectUris: ['https://app.example/cb', 'http://127.0.0.1:8080/cb'],
  secretHash: 'x',
};
const POLLER: OAuthClient = { ...CLIENT, clientId: 'poller', pollToken: true };
const lookups: string[] = [];
const registry: ClientRegistry = {
  find: async (id) => {
    lookups.push(id);
    return [CLIENT, POLLER].find((c) => c.clientId === id) ?? null;
  },
};

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const S256 = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

async function error(src: Record<string, unknown>): Promise<string | null> {
  const r = await checkRequest(registry, src);
  return r.ok ? null : r.error;
}

describe('checkRequest', () => {
  const code = { client_id: 'app_1', response_type: 'code' };

  it('accepts a plain code request and echoes what it was given, empty values as absent', async () => {
    const r = await checkRequest(registry, { ...code, redirect_uri: '', state: '' });
    expect(r).toEqual({
      ok: true,
      request: { client: CLIENT, responseType: 'code', redirectUri: null, state: null, requestId: null, codeChallenge: null },
    });
    const full = await checkRequest(registry, {
      ...code,
      redirect_uri: 'https://app.example/cb',
      state: 's1',
      code_challenge: S256,
      code_challenge_method: 'S256',
    });
    expect(full).toEqual({
      ok: true,
      request: {
        client: CLIENT,
        responseType: 'code',
        redirectUri: 'https://app.example/cb',
        state: 's1',
        requestId: null,
        codeChallenge: S256,
      },
    });
  });

  it('refuses a repeated or structured parameter, whichever it is', async () => {
    for (const name of ['client_id', 'response_type', 'redirect_uri', 'state', 'request_id', 'code_challenge', 'code_challenge_method']) {
      expect([name, await error({ ...code, [name]: ['a', 'b'] })]).toEqual([name, 'invalid_parameter']);
    }
    expect(await error({ ...code, state: { a: 1 } })).toBe('invalid_parameter');
  });

  it('names the client problem first, and looks up only well-formed ids', async () => {
    lookups.length = 0;
    expect(await error({ response_type: 'code' })).toBe('missing_client');
    expect(await error({ client_id: '', response_type: 'code' })).toBe('missing_client');
    expect(await error({ client_id: 'no such', response_type: 'code' })).toBe('invalid_client');
    expect(await error({ client_id: 'x'.repeat(65), response_type: 'code' })).toBe('invalid_client');
    expect(lookups).toEqual([]);
    expect(await error({ client_id: 'ghost', response_type: 'nonsense' })).toBe('invalid_client');
    expect(lookups).toEqual(['ghost']);
  });

  it('matches the redirect URI exactly, before the response type', async () => {
    for (const uri of [
      'https://app.example/cb/',
      'https://app.example/cb?x=1',
      'HTTPS://app.example/cb',
      'https://app.example/c',
      'https://app.example',
    ]) {
      expect([uri, await error({ ...code, redirect_uri: uri, response_type: 'nonsense' })]).toEqual([uri, 'invalid_redirect_uri']);
    }
    expect(await error({ ...code, redirect_uri: 'http://127.0.0.1:8080/cb' })).toBeNull();
  });

  it('knows three response types; token needs a redirect URI', async () => {
    expect(await error({ client_id: 'app_1' })).toBe('invalid_response_type');
    expect(await error({ client_id: 'app_1', response_type: 'Code' })).toBe('invalid_response_type');
    expect(await error({ client_id: 'app_1', response_type: 'token' })).toBe('missing_redirect_uri');
    expect(await error({ client_id: 'app_1', response_type: 'token', redirect_uri: 'https://app.example/cb' })).toBeNull();
  });

  it('poll_token: only for a client that opted in, with a request_id of 10 to 128 of [A-Za-z0-9_-]', async () => {
    const poll = { client_id: 'poller', response_type: 'poll_token' };
    expect(await error({ ...poll, client_id: 'app_1', request_id: 'a'.repeat(20) })).toBe('poll_not_allowed');
    expect(await error(poll)).toBe('invalid_request_id');
    for (const id of ['a'.repeat(9), 'a'.repeat(129), `${'a'.repeat(20)}!`, `!${'a'.repeat(20)}`]) {
      expect([id, await error({ ...poll, request_id: id })]).toEqual([id, 'invalid_request_id']);
    }
    const r = await checkRequest(registry, { ...poll, request_id: 'A-_'.repeat(4) });
    expect(r.ok && r.request.requestId).toBe('A-_'.repeat(4));
    expect(REQUEST_ID.test('a'.repeat(128))).toBe(true);
    // A request_id on another response type is ignored.
    const c = await checkRequest(registry, { ...code, request_id: 'whatever' });
    expect(c.ok && c.request.requestId).toBeNull();
  });

  it('bounds state at 2048 characters', async () => {
    expect(await error({ ...code, state: 's'.repeat(2048) })).toBeNull();
    expect(await error({ ...code, state: 's'.repeat(2049) })).toBe('invalid_state');
  });

  it('PKCE: S256 only, stated explicitly, with a 43-character challenge, on the code flow only', async () => {
    for (const [what, extra] of [
      ['plain', { code_challenge: S256, code_challenge_method: 'plain' }],
      ['no method (means plain)', { code_challenge: S256 }],
      ['a method without a challenge', { code_challenge_method: 'S256' }],
      ['a short challenge', { code_challenge: S256.slice(1), code_challenge_method: 'S256' }],
      ['a long challenge', { code_challenge: `${S256}A`, code_challenge_method: 'S256' }],
      ['a challenge with padding', { code_challenge: `${S256.slice(1)}=`, code_challenge_method: 'S256' }],
      ['lower-case s256', { code_challenge: S256, code_challenge_method: 's256' }],
    ] as const) {
      expect([what, await error({ ...code, ...extra })]).toEqual([what, 'invalid_pkce']);
    }
    expect(
      await error({
        client_id: 'app_1',
        response_type: 'token',
        redirect_uri: 'https://app.example/cb',
        code_challenge: S256,
        code_challenge_method: 'S256',
      }),
    ).toBe('invalid_pkce');
  });
});

describe('pkceMatches', () => {
  it('is RFC 7636 S256: the example verifier matches its challenge, nothing else does', () => {
    expect(CHALLENGE.test(S256)).toBe(true);
    expect(pkceMatches(VERIFIER, S256)).toBe(true);
    expect(pkceMatches(VERIFIER.slice(0, -1) + 'B', S256)).toBe(false);
    expect(pkceMatches(VERIFIER, S256.slice(0, -1) + 'd')).toBe(false);
    // The verifier itself is not the challenge ("plain").
    expect(pkceMatches(S256, S256)).toBe(false);
  });

  it('takes a verifier of 43 to 128 unreserved characters only', () => {
    const sha = (v: string) => createHash('sha256').update(v).digest('base64url');
    for (const ok of ['a'.repeat(43), 'a'.repeat(128), `${'a'.repeat(40)}.~-_`])
      expect([ok.length, pkceMatches(ok, sha(ok))]).toEqual([ok.length, true]);
    for (const bad of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `+${'a'.repeat(42)}`, `${'a'.repeat(42)} `]) {
      expect([bad, pkceMatches(bad, sha(bad))]).toEqual([bad, false]);
    }
  });
});

describe('CSRF double submit', () => {
  const VALUE = 'v'.repeat(43);
  function req(cookie?: string, extra: Partial<Request> = {}): Request {
    return { headers: cookie === undefined ? {} : { cookie }, baseUrl: '/pcloud', secure: false, ...extra } as unknown as Request;
  }
  function res(): Response & { cookies: string[] } {
    const cookies: string[] = [];
    return {
      cookies,
      append: (name: string, v: string) => (name === 'Set-Cookie' && cookies.push(v), undefined),
    } as unknown as Response & {
      cookies: string[];
    };
  }

  it('valid only when the cookie and the field are both well-formed and equal', () => {
    expect(csrfValid(req(`pcloud_oauth_csrf=${VALUE}`), VALUE)).toBe(true);
    expect(csrfValid(req(`other=1; pcloud_oauth_csrf=${VALUE}`), VALUE)).toBe(true);
    expect(csrfValid(req(`pcloud_oauth_csrf=${VALUE}`), 'w'.repeat(43))).toBe(false);
    expect(csrfValid(req(), VALUE)).toBe(false);
    expect(csrfValid(req(`pcloud_oauth_csrf=${VALUE}`), undefined)).toBe(false);
    expect(csrfValid(req(`pcloud_oauth_csrf=${VALUE}`), [VALUE])).toBe(false);
    // Both sides must have the exact shape: 43 base64url characters, nothing around them.
    for (const odd of ['v'.repeat(42), 'v'.repeat(44), `${'v'.repeat(42)}!`, `!${'v'.repeat(42)}`, '']) {
      expect([odd, csrfValid(req(`pcloud_oauth_csrf=${odd}`), odd)]).toEqual([odd, false]);
    }
    expect(csrfValid(req(`pcloud_oauth_csrf=${VALUE}x`), `${VALUE}x`)).toBe(false);
  });

  it('a form reuses the browser cookie (other tabs keep working), else makes a new one; the cookie is scoped and HttpOnly', () => {
    const r1 = res();
    expect(csrfFor(req(`pcloud_oauth_csrf=${VALUE}`), r1)).toBe(VALUE);
    expect(r1.cookies).toEqual([`pcloud_oauth_csrf=${VALUE}; Max-Age=3600; Path=/pcloud/oauth2; HttpOnly; SameSite=Lax`]);
    const r2 = res();
    const fresh = csrfFor(req('pcloud_oauth_csrf=short'), r2);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe('short');
    const r3 = res();
    csrfFor(req(undefined, { secure: true, baseUrl: '' }), r3);
    expect(r3.cookies[0]).toMatch(/; Max-Age=3600; Path=\/oauth2; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('clearing sends an expired cookie on the same path', () => {
    const r = res();
    clearCsrf(req(`pcloud_oauth_csrf=${VALUE}`), r);
    expect(r.cookies).toEqual(['pcloud_oauth_csrf=; Max-Age=0; Path=/pcloud/oauth2; HttpOnly; SameSite=Lax']);
  });
});
