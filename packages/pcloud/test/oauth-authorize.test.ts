import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { expectOk, PW, type Harness } from './helpers';
import {
  A,
  allow,
  CLIENT,
  codeQuery,
  csrfOf,
  exchange,
  OTHER,
  oauthHarness,
  PAGE,
  pkcePair,
  redirectParams,
  submit,
  type Query,
} from './oauth-helpers';

function expectPageHeaders(res: request.Response): void {
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
}

/** An error page: the status, the message, and no redirect and no form. */
function expectErrorPage(res: request.Response, status: number, message: string): void {
  expect(res.status).toBe(status);
  expectPageHeaders(res);
  expect(res.headers.location).toBeUndefined();
  expect(res.text).not.toContain('<form');
  expect(res.text).toContain(message.replace(/'/g, '&#39;'));
}

describe.each(testStores())('the OAuth authorize page on the $name store', (ts) => {
  let h: Harness;
  let alice: number;
  beforeEach(async () => {
    h = oauthHarness(ts);
    alice = await h.user(A);
  });
  afterEach(() => h.close());

  const get = (q: Query | string) => request(h.app).get(PAGE).query(q);

  describe('GET', () => {
    it('renders the login-and-consent form with anti-framing, no-store and CSP headers and a Lax HttpOnly CSRF cookie', async () => {
      const res = await get(codeQuery());
      expect(res.status).toBe(200);
      expectPageHeaders(res);
      expect(res.headers['content-security-policy']).toContain("form-action 'self' https://photos.example;");
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const cookie = ([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith('pcloud_oauth_csrf='))!;
      expect(cookie).toMatch(/; Max-Age=3600/);
      expect(cookie).toMatch(/; Path=\/pcloud\/oauth2/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).not.toMatch(/Secure/); // plain http
      expect(csrfOf(res).field).toBe(cookie.split(';')[0].split('=')[1]);
      for (const [name, value] of Object.entries(codeQuery())) expect(res.text).toContain(`name="${name}" value="${value}"`);
      expect(res.text).toContain('<input type="password" name="password"');
      expect(res.text).toContain('photos.example');
    });

    it('escapes the client name, the state and every other value it shows', async () => {
      const state = `"><script>alert(1)</script>'`;
      const res = await get(codeQuery({ state }));
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<script');
      expect(res.text).not.toContain('<App>');
      expect(res.text).toContain('Photo &lt;App&gt; &amp; &quot;Co&quot;');
      expect(res.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39;"');
    });

    it('marks the cookie Secure on https (behind a trusted proxy)', async () => {
      h.app.set('trust proxy', true);
      const res = await get(codeQuery()).set('X-Forwarded-Proto', 'https');
      expect(([] as string[]).concat(res.headers['set-cookie']).join('\n')).toMatch(/pcloud_oauth_csrf=[^\n]*; Secure/);
    });

    it('reuses the browser’s CSRF value, so two open tabs both work', async () => {
      const first = csrfOf(await get(codeQuery()));
      const second = csrfOf(await get(codeQuery()).set('Cookie', first.cookie));
      expect(second.field).toBe(first.field);
    });

    it('shows an error page and never redirects for a missing or unknown client or an unregistered redirect URI', async () => {
      expectErrorPage(await get({ response_type: 'code' }), 400, "Please provide 'client_id'.");
      for (const client_id of ['nope', '<script>', 'x'.repeat(65)]) {
        expectErrorPage(await get(codeQuery({ client_id })), 400, "Invalid 'client_id'.");
      }
      // Exact string match: no trailing slash, case, query, port or prefix tolerance; another client's URI is not ours.
      const near = [
        'https://photos.example/cb/',
        'https://PHOTOS.example/cb',
        'https://photos.example/cb?x=1',
        'https://photos.example:443/cb',
        'https://photos.example/cb/../evil',
        'https://evil.example/cb',
        'http://localhost:8123/cb',
        OTHER.redirectUris[0],
      ];
      for (const redirect_uri of near) {
        const res = await get(codeQuery({ redirect_uri }));
        expectErrorPage(res, 400, "Invalid 'redirect_uri'");
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    });

    it('shows an error page for malformed requests', async () => {
      const cases: Array<[Query | string, string]> = [
        [codeQuery({ response_type: '' }), "Invalid 'response_type'"],
        [codeQuery({ response_type: 'id_token' }), "Invalid 'response_type'"],
        [{ client_id: CLIENT.clientId, response_type: 'token' }, "Please provide 'redirect_uri'"],
        [{ client_id: CLIENT.clientId, response_type: 'poll_token' }, "Invalid 'request_id'"],
        [{ client_id: CLIENT.clientId, response_type: 'poll_token', request_id: 'short' }, "Invalid 'request_id'"],
        [{ client_id: CLIENT.clientId, response_type: 'poll_token', request_id: 'has spaces in it' }, "Invalid 'request_id'"],
        [codeQuery({ state: 's'.repeat(2049) }), "Invalid 'state'"],
        [codeQuery({ code_challenge: pkcePair().challenge }), 'Invalid PKCE'],
        [codeQuery({ code_challenge: pkcePair().challenge, code_challenge_method: 'plain' }), 'Invalid PKCE'],
        [codeQuery({ code_challenge: 'short', code_challenge_method: 'S256' }), 'Invalid PKCE'],
        [codeQuery({ code_challenge_method: 'S256' }), 'Invalid PKCE'],
        [codeQuery({ response_type: 'token', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }), 'Invalid PKCE'],
        ['client_id=photo-app&client_id=other-app&response_type=code', 'sent more than once'],
        ['client_id=photo-app&response_type=code&state=a&state=b', 'sent more than once'],
      ];
      for (const [q, message] of cases) expectErrorPage(await get(q), 400, message);
    });
  });

  describe('POST', () => {
    it('code flow: 303 to the registered URI with code and state, no-store, the CSRF cookie dropped', async () => {
      const res = await allow(h, codeQuery());
      const { base, query } = redirectParams(res);
      expect(base).toBe('https://photos.example/cb');
      expect(query.get('state')).toBe('st-1');
      expect(query.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(([] as string[]).concat(res.headers['set-cookie']).join('\n')).toMatch(/pcloud_oauth_csrf=; Max-Age=0/);
      const r = await exchange(h, { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code: query.get('code')! });
      expectOk(r);
      expect(r.body).toEqual({ result: 0, access_token: expect.any(String), token_type: 'bearer', uid: alice });
    });

    it('keeps a registered query string byte for byte and leaves state out when none was sent', async () => {
      const res = await allow(h, { client_id: CLIENT.clientId, response_type: 'code', redirect_uri: CLIENT.redirectUris[1] });
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^http:\/\/localhost:8123\/cb\?mode=web&code=[A-Za-z0-9_-]{43}$/);
    });

    it('code flow without redirect_uri shows the code on the page (pCloud) for the user to paste', async () => {
      const res = await allow(h, { client_id: CLIENT.clientId, response_type: 'code' });
      expect(res.status).toBe(200);
      expectPageHeaders(res);
      const code = /<code class="code">([A-Za-z0-9_-]{43})<\/code>/.exec(res.text)?.[1];
      expect(code).toBeDefined();
      expect(res.text).toContain('within 10 minutes');
      expectOk(await exchange(h, { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code: code! }));
    });

    it('token flow: the access token, token_type, uid and state in the fragment', async () => {
      const res = await allow(h, {
        client_id: CLIENT.clientId,
        response_type: 'token',
        redirect_uri: CLIENT.redirectUris[0],
        state: 'a b&c',
      });
      const { base, query, fragment } = redirectParams(res);
      expect(base).toBe('https://photos.example/cb');
      expect([...query.keys()]).toEqual([]);
      expect(fragment.get('token_type')).toBe('bearer');
      expect(fragment.get('uid')).toBe(String(alice));
      expect(fragment.get('state')).toBe('a b&c');
      expect(res.headers['cache-control']).toBe('no-store');
      const info = await h.get('userinfo', { access_token: fragment.get('access_token')! });
      expectOk(info);
      expect(info.body.userid).toBe(alice);
    });

    it('deny: error=access_denied back to the app (query for code, fragment for token), no login needed, nothing issued', async () => {
      const code = await submit(h, codeQuery(), { decision: 'deny' });
      const c = redirectParams(code);
      expect(c.query.get('error')).toBe('access_denied');
      expect(c.query.get('state')).toBe('st-1');
      expect(c.query.get('code')).toBeNull();
      const token = await submit(
        h,
        { client_id: CLIENT.clientId, response_type: 'token', redirect_uri: CLIENT.redirectUris[0] },
        { decision: 'deny' },
      );
      expect(redirectParams(token).fragment.get('error')).toBe('access_denied');
      const shown = await submit(h, { client_id: CLIENT.clientId, response_type: 'code' }, { decision: 'deny' });
      expect(shown.status).toBe(200);
      expect(shown.text).toContain('Access denied');
      expect(await h.auth.tokens.list(alice)).toEqual([]);
    });

    it('a wrong password or unknown account shows the form again (401) with no redirect and nothing issued', async () => {
      for (const [user, pw] of [
        [A, 'wrong-password'],
        ['nobody@example.com', PW],
      ]) {
        const res = await allow(h, codeQuery(), user, pw);
        expect(res.status).toBe(401);
        expectPageHeaders(res);
        expect(res.headers.location).toBeUndefined();
        expect(res.text).toContain('Wrong e-mail or password.');
        expect(res.text).toContain(`name="username" autocomplete="username" autocapitalize="none" spellcheck="false" value="${user}"`);
        expect(res.text).not.toContain(pw);
        expect(csrfOf(res).field).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }
      const empty = await allow(h, codeQuery(), A, '');
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('Enter your e-mail and password.');
      expect(await h.auth.tokens.list(alice)).toEqual([]);
    });

    it('escapes what the user typed when it shows the form again', async () => {
      const res = await allow(h, codeQuery(), '"><img src=x onerror=alert(1)>', 'x');
      expect(res.status).toBe(401);
      expect(res.text).not.toContain('<img');
      expect(res.text).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    });

    it('CSRF: no cookie, a forged field or a pair from two different forms → 403 and the form again; nothing issued', async () => {
      const q = codeQuery();
      const noCookie = await allow(h, q, A, PW, { cookie: '' });
      const forged = await allow(h, q, A, PW, { csrf: 'x'.repeat(43) });
      const junk = await allow(h, q, A, PW, { csrf: '<script>' });
      const other = csrfOf(await request(h.app).get(PAGE).query(q)); // a second browser's pair
      const mixed = await allow(h, q, A, PW, { csrf: other.field });
      for (const res of [noCookie, forged, junk, mixed]) {
        expect(res.status).toBe(403);
        expect(res.headers.location).toBeUndefined();
        expect(res.text).toContain('This form expired or was not sent from this page.');
        expect(res.text).toContain('<form');
      }
      expect(await h.auth.tokens.list(alice)).toEqual([]);
      // The 403 page hands out a working pair: submitting it again succeeds.
      const retry = csrfOf(mixed);
      const ok = await request(h.app)
        .post(PAGE)
        .type('form')
        .set('Cookie', retry.cookie)
        .send({ ...q, csrf: retry.field, decision: 'allow', username: A, password: PW });
      expect(ok.status).toBe(303);
    });

    it('checks the request again on POST: a tampered client or redirect URI gets the error page, never a redirect', async () => {
      const evil = await allow(h, codeQuery(), A, PW, { fields: { ...codeQuery(), redirect_uri: 'https://evil.example/cb' } });
      expectErrorPage(evil, 400, "Invalid 'redirect_uri'");
      const unknown = await allow(h, codeQuery(), A, PW, { fields: { ...codeQuery(), client_id: 'nope' } });
      expectErrorPage(unknown, 400, "Invalid 'client_id'.");
    });

    it('unreadable or unexpected bodies get a 400 page, never a 500', async () => {
      const q = codeQuery();
      const pair = csrfOf(await request(h.app).get(PAGE).query(q));
      const post = () => request(h.app).post(PAGE).set('Cookie', pair.cookie);
      expectErrorPage(
        await post()
          .type('json')
          .send({ ...q, csrf: pair.field, decision: 'allow' }),
        400,
        'The form could not be read',
      );
      expectErrorPage(await post(), 400, 'The form could not be read');
      expectErrorPage(await post().type('form').send('%zz=%'), 400, "Please provide 'client_id'.");
      expectErrorPage(
        await post()
          .type('form')
          .send({ ...q, csrf: pair.field, pad: 'x'.repeat(20_000) }),
        400,
        'The form could not be read',
      );
      expectErrorPage(
        await post()
          .type('form')
          .send({ ...q, csrf: pair.field, decision: 'maybe' }),
        400,
        'The form could not be read',
      );
    });

    it('throttles like every login: over the per-IP failure budget → 429 with Retry-After, even with the right password', async () => {
      await h.close();
      h = oauthHarness(ts, {}, { throttle: { ip: { limit: 3, windowMs: 60_000 } } });
      await h.user(A);
      for (let i = 0; i < 3; i++) expect((await allow(h, codeQuery(), A, 'wrong-password')).status).toBe(401);
      const res = await allow(h, codeQuery(), A, PW);
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.text).toContain('Too many login attempts.');
      expect(res.headers.location).toBeUndefined();
    });

    it('fails closed when the store is down: 503 page, no redirect', async () => {
      const q = codeQuery();
      const pair = csrfOf(await request(h.app).get(PAGE).query(q));
      h.store.down = true;
      const res = await request(h.app)
        .post(PAGE)
        .type('form')
        .set('Cookie', pair.cookie)
        .send({ ...q, csrf: pair.field, decision: 'allow', username: A, password: PW });
      expectErrorPage(res, 503, 'temporarily unavailable');
      h.store.down = false;
      expect(h.errors).toEqual([]); // an outage is expected, not a bug report
    });

    it('keeps the PKCE challenge through the form', async () => {
      const { challenge } = pkcePair();
      const page = await request(h.app)
        .get(PAGE)
        .query(codeQuery({ code_challenge: challenge, code_challenge_method: 'S256' }));
      expect(page.text).toContain(`name="code_challenge" value="${challenge}"`);
      expect(page.text).toContain('name="code_challenge_method" value="S256"');
    });
  });
});
