/**
 * The real ConnectyCube JS SDK v3.35.3 (signs every POST /session with HMAC-SHA1) against a listening server.
 * v3 hard-codes https://, so node-fetch is wrapped BEFORE the SDK loads to send plain http to the loopback
 * server (protocol notes §A7, option 1). The SDK signs with the real time, so the server's manual clock
 * starts at the real time too.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { Server } from 'node:http';
import { HOUR } from '@authmount/core';
import { testStores } from '../../../test-support/stores';
import { APP_SECRET, PASSWORD, closeServer, harness, listen, type Harness } from './helpers';

const nodeFetch = require('node-fetch') as { default: (u: unknown, o?: unknown) => Promise<unknown> };
const realFetch = nodeFetch.default;
const requested: string[] = [];
nodeFetch.default = (u: unknown, o?: unknown) => {
  const url = String(u).replace(/^https:\/\//, 'http://');
  requested.push(`${(o as { method?: string } | undefined)?.method ?? 'GET'} ${new URL(url).pathname}`);
  return realFetch(url, o);
};
// v3 exports the SDK instance itself (a singleton).
const CB = require('connectycube-v3');

interface CbErrorObject {
  code: number;
  info: unknown;
}

describe.each(testStores())('ConnectyCube SDK v3 on the $name store', (ts) => {
  let h: Harness;
  let server: Server;
  let host: string;

  // The SDK's config is a singleton: re-initialise it for each server (v3 takes host[:port][/path]).
  const init = (authSecret = APP_SECRET, on: Record<string, unknown> = { sessionExpired: null }) =>
    CB.init({ appId: 42, authKey: 'AKEY', authSecret }, { endpoints: { api: `${host}/cb` }, debug: { mode: 0 }, on });

  beforeEach(async () => {
    h = harness(ts, {}, Date.now());
    const l = await listen(h.app);
    server = l.server;
    host = new URL(l.url).host;
    init();
    requested.length = 0;
  });
  afterEach(async () => {
    await closeServer(server);
    await h.close();
  });

  it('app session → sign up → log in → protected routes → log out → destroy session', async () => {
    const appSession = await CB.createSession();
    expect(appSession).toMatchObject({ application_id: 42, user_id: null });
    expect(typeof appSession.token).toBe('string');

    const list = await CB.data.list('Note');
    expect(list).toEqual({ items: [], user_id: null, kind: 'app' });
    await expect(CB.data.create('Note', { text: 'hi' })).rejects.toEqual({
      code: 403,
      info: { errors: { base: ['Forbidden. Need user.'] } },
    });

    const signup = await CB.users.signup({ login: 'v3user', password: PASSWORD, email: 'v3@example.com', full_name: 'V Three' });
    expect(signup.user).toMatchObject({ login: 'v3user', full_name: 'V Three' });

    const user = await CB.login({ login: 'v3user', password: PASSWORD });
    expect(user).toMatchObject({ id: signup.user.id, login: 'v3user' });
    expect(CB.service.getCurrentUserId()).toBe(user.id);

    const created = await CB.data.create('Note', { text: 'hi' });
    expect(created).toEqual({ _id: 'n1', user_id: user.id });
    const session = await CB.getSession();
    expect(session).toMatchObject({ user_id: user.id, id: appSession.id, token: appSession.token });

    await CB.logout();
    await expect(CB.data.create('Note', { text: 'again' })).rejects.toMatchObject({ code: 403 });

    await CB.destroySession();
    expect(CB.service.getSession()).toBeNull();
    expect(await h.auth.tokens.get(String(appSession.id))).toBeNull();

    expect(requested).toEqual([
      'POST /cb/session.json',
      'GET /cb/data/Note.json',
      'POST /cb/data/Note.json',
      'POST /cb/users.json',
      'POST /cb/login.json',
      'POST /cb/data/Note.json',
      'GET /cb/session.json',
      'DELETE /cb/login.json',
      'POST /cb/data/Note.json',
      'DELETE /cb/session.json',
    ]);
  });

  it('signed user, e-mail and guest sessions', async () => {
    await h.auth.accounts.register({ login: 'john', email: 'john@example.com', password: PASSWORD });
    const byLogin = await CB.createSession({ login: 'john', password: PASSWORD });
    expect(byLogin.user).toMatchObject({ login: 'john' });
    const byEmail = await CB.createSession({ email: 'john@example.com', password: PASSWORD });
    expect(byEmail.user_id).toBe(byLogin.user_id);
    const guest = await CB.createSession({ guest: '1', full_name: 'Guest G' });
    expect(guest.user).toMatchObject({ is_guest: true, full_name: 'Guest G' });
    const wrong = await CB.createSession({ login: 'john', password: 'not the password' }).catch((e: CbErrorObject) => e);
    expect(wrong).toEqual({ code: 401, info: { errors: ['Unauthorized'] } });
  });

  it('a wrong auth_secret gets "Unexpected signature"', async () => {
    init('WRONG');
    const err = await CB.createSession().catch((e: CbErrorObject) => e);
    expect(err).toEqual({ code: 422, info: { errors: ['Unexpected signature'] } });
  });

  it('sessionExpired fires after 2 idle hours, and the retried request succeeds', async () => {
    let fired = 0;
    init(APP_SECRET, {
      sessionExpired: (_handle: () => void, retry: (s: unknown) => void) => {
        fired++;
        // SDK v3 signs with the real time; the server's clock moved 2 h ahead, so sign with its time.
        CB.createSession({ timestamp: Math.floor(h.clock() / 1000) }).then(retry);
      },
    });
    const first = await CB.createSession();
    h.clock.advance(2 * HOUR - 60_000);
    await CB.data.list('Note'); // within the window: slides, no expiry
    expect(fired).toBe(0);
    h.clock.advance(2 * HOUR);
    const res = await CB.data.list('Note');
    expect(fired).toBe(1);
    expect(res).toMatchObject({ kind: 'app' });
    expect(CB.service.getSession().token).not.toBe(first.token);
  });
});
