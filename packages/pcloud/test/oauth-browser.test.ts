import { manualClock } from '@authmount/core';
import { createAuth, type Auth } from '@authmount/express';
import express from 'express';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dependencyMissing, isCI, skippedTitle } from '../../../test-support/ci';
import { FAST_HASHING } from '../../../test-support/fast';
import { memoryStore } from '@authmount/store-memory';
import { pcloud } from '../src';
import { PW } from './helpers';
import { A } from './oauth-helpers';

/**
 * The authorize page in a real browser: Debian's Chromium driven by playwright-core. The rest of the
 * flow goes through pCloud's own JS SDK (code exchange with ApiMethod, userinfo with createClient's
 * default 'oauth' client). Memory store only: the store paths are covered by the HTTP-level tests.
 * Screenshots go to artifacts/oauth/ (gitignored).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = path.resolve(__dirname, '../../../artifacts/oauth');

function loadPlaywright(): typeof import('playwright-core') | string {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('playwright-core') as typeof import('playwright-core');
  } catch {
    return 'playwright-core is not installed (npm ci)';
  }
}

const pw = loadPlaywright();
const missing = typeof pw === 'string' ? pw : null;
if (missing !== null) {
  if (isCI()) {
    // Under CI the browser test is required: fail loudly instead of skipping.
    describe('the OAuth authorize page in Chromium', () => {
      it('needs a browser under CI', () => {
        throw new Error(`browser test cannot run: ${missing}`);
      });
    });
  } else {
    dependencyMissing('the OAuth browser test', missing, 'Under CI this is a failure.');
    describe.skip(skippedTitle('the OAuth authorize page in Chromium', missing), () => {
      it('runs in a browser', () => undefined);
    });
  }
} else {
  const { chromium } = pw as typeof import('playwright-core');
  (global as unknown as { locationid: unknown }).locationid = undefined; // pcloud-sdk-js reads this undeclared global
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('pcloud-sdk-js') as { createClient(token: string): SdkClient };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ApiMethod = (require('pcloud-sdk-js/lib/api/ApiMethod') as { default: (m: string, o: object) => Promise<Record<string, unknown>> })
    .default;
  interface SdkClient {
    api(method: string, opts?: Record<string, unknown>): Promise<Record<string, unknown>>;
    userinfo(): Promise<Record<string, unknown>>;
  }

  describe('the OAuth authorize page in Chromium', () => {
    const SECRET = 'browser-test-secret-0123456789';
    let browser: Browser;
    let server: Server;
    let auth: Auth;
    let origin: string;
    let alice: number;
    let page: Page;

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      const app = express();
      server = app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const clock = manualClock(Date.now());
      auth = createAuth({ store: memoryStore({ clock, sweepIntervalMs: 0 }), clock, hashing: FAST_HASHING, passwordPolicy: 'pcloud' });
      alice = (await auth.accounts.register({ email: A, password: PW })).id;
      const client = { clientId: 'browser-app', clientSecret: SECRET, redirectUris: [`${origin}/callback`], name: 'Photo Backup' };
      app.use('/pcloud', pcloud(auth, { oauth: { clients: [client] } }));
      // The app's redirect target: a plain page (the test reads the code from the URL).
      app.get('/callback', (_req, res) => res.type('html').send('<!doctype html><title>callback</title><p>back at the app</p>'));
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await auth?.close();
    });

    beforeEach(async () => {
      page = await (await browser.newContext()).newPage();
    });
    afterEach(async () => {
      await page.context().close();
    });

    const authorizeUrl = (extra: Record<string, string> = {}) =>
      `${origin}/pcloud/oauth2/authorize?${new URLSearchParams({
        client_id: 'browser-app',
        response_type: 'code',
        redirect_uri: `${origin}/callback`,
        state: 'xyz',
        ...extra,
      })}`;

    const apiServer = () => `${origin.replace('http://', '')}/pcloud`;

    it('log in, allow, land on the redirect with a code, exchange it and call userinfo through pcloud-sdk-js', async () => {
      const res = await page.goto(authorizeUrl());
      expect(res?.status()).toBe(200);
      expect(await page.textContent('h1')).toBe('Photo Backup wants to access your account');
      await page.screenshot({ path: path.join(ARTIFACTS, 'authorize.png'), fullPage: true });
      const cookie = (await page.context().cookies()).find((c) => c.name === 'pcloud_oauth_csrf');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/pcloud/oauth2', secure: false });

      await page.fill('input[name=username]', A);
      await page.fill('input[name=password]', PW);
      await Promise.all([page.waitForURL(/\/callback\?/), page.click('button[value=allow]')]);
      const back = new URL(page.url());
      expect(back.searchParams.get('state')).toBe('xyz');
      const code = back.searchParams.get('code')!;
      expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const token = await ApiMethod('oauth2_token', {
        apiServer: apiServer(),
        apiProtocol: 'http',
        params: { client_id: 'browser-app', client_secret: SECRET, code },
      });
      expect(token).toMatchObject({ result: 0, token_type: 'bearer', uid: alice });
      const client = sdk.createClient(token.access_token as string); // default type 'oauth': sends access_token
      const orig = client.api;
      client.api = (m, o = {}) => orig(m, { apiServer: apiServer(), apiProtocol: 'http', ...o });
      expect(await client.userinfo()).toMatchObject({ result: 0, userid: alice, email: A });
      // An OAuth token reads the account but never manages it: listtokens answers 1000 as pCloud does.
      await expect(client.api('listtokens')).rejects.toMatchObject({ result: 1000, error: 'Log in required.' });
    });

    it('Enter in the password field allows; the token flow brings the token back in the fragment', async () => {
      await page.goto(authorizeUrl({ response_type: 'token', state: 'tok' }));
      await page.fill('input[name=username]', A);
      await page.fill('input[name=password]', PW);
      await Promise.all([page.waitForURL(/\/callback#/), page.press('input[name=password]', 'Enter')]);
      const fragment = new URLSearchParams(new URL(page.url()).hash.slice(1));
      expect(fragment.get('token_type')).toBe('bearer');
      expect(fragment.get('state')).toBe('tok');
      const client = sdk.createClient(fragment.get('access_token')!);
      const orig = client.api;
      client.api = (m, o = {}) => orig(m, { apiServer: apiServer(), apiProtocol: 'http', ...o });
      expect(await client.userinfo()).toMatchObject({ userid: alice });
    });

    it('deny: back to the app with error=access_denied, without logging in', async () => {
      await page.goto(authorizeUrl());
      await Promise.all([page.waitForURL(/\/callback\?/), page.click('button[value=deny]')]);
      const back = new URL(page.url());
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(back.searchParams.get('state')).toBe('xyz');
      expect(back.searchParams.get('code')).toBeNull();
    });

    it('a wrong password shows the form again with an error; the right one then goes through', async () => {
      await page.goto(authorizeUrl());
      await page.fill('input[name=username]', A);
      await page.fill('input[name=password]', 'wrong-password');
      const [res] = await Promise.all([page.waitForNavigation(), page.click('button[value=allow]')]);
      expect(res?.status()).toBe(401);
      expect(new URL(page.url()).pathname).toBe('/pcloud/oauth2/authorize');
      expect(await page.textContent('.error')).toBe('Wrong e-mail or password.');
      expect(await page.inputValue('input[name=username]')).toBe(A);
      await page.screenshot({ path: path.join(ARTIFACTS, 'authorize-wrong-password.png'), fullPage: true });
      await page.fill('input[name=password]', PW);
      await Promise.all([page.waitForURL(/\/callback\?code=/), page.click('button[value=allow]')]);
    });

    it('a forged CSRF token is refused (403) and nothing reaches the app', async () => {
      await page.goto(authorizeUrl());
      await page.fill('input[name=username]', A);
      await page.fill('input[name=password]', PW);
      // An untouched input's value follows its attribute.
      await page.locator('input[name=csrf]').evaluate((el, forged) => el.setAttribute('value', forged), 'A'.repeat(43));
      const [res] = await Promise.all([page.waitForNavigation(), page.click('button[value=allow]')]);
      expect(res?.status()).toBe(403);
      expect(new URL(page.url()).pathname).toBe('/pcloud/oauth2/authorize');
      expect(await page.textContent('.error')).toContain('This form expired or was not sent from this page.');
    });

    it('refuses to be framed by another site (clickjacking)', async () => {
      // The attacker's page on another origin (another port), served for real: Chromium's local-network
      // checks would block a frame of a page it cannot place in the same address space.
      const evil = express()
        .get('/', (_req, res) => res.type('html').send(`<!doctype html><iframe id="f" src="${authorizeUrl()}"></iframe>`))
        .listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => evil.once('listening', () => resolve()));
      try {
        const framed = page.waitForResponse((r) => r.url().includes('/oauth2/authorize'));
        await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`); // waits for the frame's load too
        expect((await framed).status()).toBe(200); // the server answered; the browser refused to show it
        const frame = page.frames().find((f) => f !== page.mainFrame())!;
        // Chromium replaces a refused frame with its own error page: the form never renders inside it.
        expect(frame.url()).toBe('chrome-error://chromewebdata/');
        expect(await frame.$('form')).toBeNull();
      } finally {
        await new Promise<void>((resolve) => evil.close(() => resolve()));
      }
    });

    it('shows an error page for an unknown client and does not redirect', async () => {
      const res = await page.goto(authorizeUrl({ client_id: 'nope' }));
      expect(res?.status()).toBe(400);
      expect(await page.textContent('p')).toBe("Invalid 'client_id'.");
      expect(new URL(page.url()).pathname).toBe('/pcloud/oauth2/authorize');
    });
  });
}
