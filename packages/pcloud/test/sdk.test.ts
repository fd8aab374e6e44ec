import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { testStores } from '../../../test-support/stores';
import { harness, type Harness } from './helpers';

/**
 * pCloud's own JS SDK (pcloud-sdk-js 2.0.0) against a listening server, as in §7 of the protocol notes:
 * `global.locationid` must exist (the SDK reads an undeclared global) and every call is pointed at the
 * local host through `client.api`, which the SDK's higher-order methods look up at call time.
 */
(global as unknown as { locationid: unknown }).locationid = undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('pcloud-sdk-js') as {
  createClient(token: string | null, type: 'pcloud' | 'oauth'): SdkClient;
};

interface SdkClient {
  api(method: string, opts?: Record<string, unknown>): Promise<Record<string, unknown>>;
  login(email: string, password: string): Promise<string>;
  register(email: string, password: string): Promise<number>;
  userinfo(): Promise<Record<string, unknown>>;
}

describe.each(testStores())('pcloud-sdk-js 2.0.0 against the adapter on the $name store', (ts) => {
  let h: Harness;
  let server: Server;
  let host: string;
  beforeEach(async () => {
    h = harness(ts);
    server = h.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
  });

  function client(): SdkClient {
    const c = sdk.createClient(null, 'pcloud');
    const orig = c.api;
    c.api = (m, o = {}) => orig(m, { apiServer: `${host}/pcloud`, apiProtocol: 'http', ...o });
    return c;
  }

  it('register → login → userinfo → listtokens → logout; the old token then fails with 2000', async () => {
    const c = client();
    const userid = await c.register('sdk@example.com', 'secret1');
    expect(userid).toEqual(expect.any(Number));

    const token = await c.login('sdk@example.com', 'secret1');
    expect(token).toEqual(expect.any(String));

    const info = await c.userinfo();
    expect(info).toMatchObject({ result: 0, userid, email: 'sdk@example.com', emailverified: false });

    const list = await c.api('listtokens');
    expect(list.tokens).toEqual([expect.objectContaining({ tokenid: Number(token.split('.')[0]), current: true })]);

    const out = await c.api('logout');
    expect(out).toEqual({ result: 0, auth_deleted: true });

    await expect(c.userinfo()).rejects.toEqual({ result: 2000, error: 'Log in failed.' });
  });

  it('rejects a wrong password with the pCloud error object', async () => {
    await client().register('sdk@example.com', 'secret1');
    await expect(client().login('sdk@example.com', 'wrong-1')).rejects.toEqual({ result: 2000, error: 'Log in failed.' });
    await expect(client().register('sdk@example.com', 'secret1')).rejects.toEqual({
      result: 2038,
      error: 'User with this email is already registered.',
    });
  });

  it('POSTs with the params in the query string and an empty body', async () => {
    const c = client();
    await c.register('sdk@example.com', 'secret1');
    await c.login('sdk@example.com', 'secret1');
    const r = await c.api('userinfo', { method: 'post' });
    expect(r).toMatchObject({ result: 0, email: 'sdk@example.com' });
  });
});
