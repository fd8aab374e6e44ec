/**
 * The real ConnectyCube JS SDK v6.1.2 (unsigned: only application_id + auth_key) against a listening server,
 * through its built-in `endpoints.api_url` override (protocol notes §A7). Its `sessionExpired` callback must
 * fire once 2 idle hours pass on the server's injected clock.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { Server } from 'node:http';
import { HOUR, MINUTE } from '@authmount/core';
import { testStores } from '../../../test-support/stores';
import { PASSWORD, closeServer, harness, listen, type Harness } from './helpers';

// The CommonJS build exposes the SDK instance as `.default` (a singleton).
const CB = require('connectycube-v6').default;

interface CbErrorObject {
  code: number;
  info: unknown;
}

describe.each(testStores())('ConnectyCube SDK v6 on the $name store', (ts) => {
  let h: Harness;
  let server: Server;
  let apiUrl: string;

  // `config.set` re-assigns endpoints.api_url on every init, so pass it each time. Application 7 allows
  // unsigned requests (v6 cannot sign).
  const init = (on: Record<string, unknown> = {}) =>
    CB.init(
      { appId: 7, authKey: 'OPENKEY' },
      { endpoints: { api_url: apiUrl }, debug: { mode: 0 }, on: { sessionExpired: undefined, ...on } },
    );

  beforeEach(async () => {
    h = harness(ts);
    const l = await listen(h.app);
    server = l.server;
    apiUrl = `${l.url}/cb`;
    init();
  });
  afterEach(async () => {
    CB.setSession(null);
    await closeServer(server);
    await h.close();
  });

  it('sign up without a session (CB-AuthKey) → session with user → protected routes → log out → destroy', async () => {
    const signup = await CB.users.signup({ login: 'v6user', password: PASSWORD, email: 'v6@example.com' });
    expect(signup.user).toMatchObject({ login: 'v6user', email: 'v6@example.com' });

    const session = await CB.createSession({ login: 'v6user', password: PASSWORD });
    expect(session).toMatchObject({ application_id: 7, user_id: signup.user.id });
    expect(session.nonce).toBeUndefined();

    expect(await CB.data.list('Note')).toMatchObject({ user_id: signup.user.id, kind: 'user' });
    expect(await CB.data.create('Note', { text: 'hi' })).toEqual({ _id: 'n1', user_id: signup.user.id });
    expect(await CB.getSession()).toMatchObject({ id: session.id, user_id: signup.user.id });

    await CB.logout();
    const denied = await CB.data.create('Note', { text: 'again' }).catch((e: CbErrorObject) => e);
    expect(denied).toEqual({ code: 403, info: { errors: { base: ['Forbidden. Need user.'] } } });

    await CB.destroySession();
    expect(await h.auth.tokens.get(String(session.id))).toBeNull();
  });

  it('app session → log in (upgrade) → protected write → log out (downgrade)', async () => {
    await h.auth.accounts.register({ login: 'ann', email: 'ann@example.com', password: PASSWORD });
    const appSession = await CB.createSession();
    expect(appSession.user_id).toBeNull();
    const user = await CB.login({ email: 'ann@example.com', password: PASSWORD });
    expect(user.login).toBe('ann');
    expect(await CB.data.create('Note', {})).toEqual({ _id: 'n1', user_id: user.id });
    expect((await CB.getSession()).token).toBe(appSession.token);
    await CB.logout();
    expect((await CB.getSession()).user_id).toBeNull();
    await CB.destroySession();
  });

  it('guest session', async () => {
    const s = await CB.createSession({ guest: '1', full_name: 'Six' });
    expect(s.user).toMatchObject({ is_guest: true, full_name: 'Six' });
  });

  it('errors come back in the shape the SDK hands to the app', async () => {
    await CB.createSession();
    const e1 = await CB.login({ login: 'nobody', password: 'whatever it is' }).catch((e: CbErrorObject) => e);
    expect(e1).toEqual({ code: 401, info: { errors: ['Unauthorized'] } });
    const e2 = await CB.users.signup({ login: 'dup', password: 'short' }).catch((e: CbErrorObject) => e);
    expect(e2.code).toBe(422);
  });

  it('sessionExpired fires after 2 idle hours; the SDK retries with the new session', async () => {
    let fired = 0;
    init({
      sessionExpired: (_handleResponse: () => void, retry: (s: unknown) => void) => {
        fired++;
        CB.createSession({ login: 'exp', password: PASSWORD }).then(retry);
      },
    });
    await h.auth.accounts.register({ login: 'exp', password: PASSWORD });
    const first = await CB.createSession({ login: 'exp', password: PASSWORD });

    h.clock.advance(2 * HOUR - MINUTE);
    await CB.data.list('Note'); // inside the window: the session slides
    h.clock.advance(2 * HOUR - MINUTE);
    await CB.data.list('Note');
    expect(fired).toBe(0);

    h.clock.advance(2 * HOUR);
    const res = await CB.data.create('Note', { text: 'after expiry' });
    expect(fired).toBe(1);
    expect(res).toEqual({ _id: 'n1', user_id: first.user_id });
    const now = await CB.getSession();
    expect(now.token).not.toBe(first.token);
    expect(now.user_id).toBe(first.user_id);
  });

  it('without a sessionExpired handler the app sees the exact 401 body', async () => {
    await CB.createSession();
    h.clock.advance(2 * HOUR);
    const e = await CB.data.list('Note').catch((err: CbErrorObject) => err);
    expect(e).toEqual({ code: 401, info: { errors: { base: ['Required session does not exist'] } } });
  });
});
