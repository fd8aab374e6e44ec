import { AuthError, DEFAULT_MESSAGES, type AuthErrorCode, type AuthEvent } from '@authmount/core';
import { testStores } from '../../../test-support/stores';
import { FROM_AUTH_ERROR, FROM_VIOLATION, formatTime, PCLOUD_ERRORS, PcloudError, passwordDigest, toFailure } from '../src';
import { credentialOf, lifetimeSeconds } from '../src/login';
import { expectOk, harness, PW } from './helpers';

describe('the error table', () => {
  it('gives every core error code a pCloud code and message', () => {
    for (const code of Object.keys(DEFAULT_MESSAGES) as AuthErrorCode[]) {
      const name = FROM_AUTH_ERROR[code];
      expect(PCLOUD_ERRORS[name]).toBeDefined();
      expect(toFailure(new AuthError(code), () => undefined)).toEqual(PCLOUD_ERRORS[name]);
    }
  });

  it('has one entry per pCloud code', () => {
    const results = Object.values(PCLOUD_ERRORS).map((e) => e.result);
    expect(new Set(results).size).toBe(results.length);
  });

  it('maps the pcloud profile’s violations to 2032–2035 with pCloud’s messages', () => {
    expect(PCLOUD_ERRORS[FROM_VIOLATION.too_short].result).toBe(2032);
    expect(PCLOUD_ERRORS[FROM_VIOLATION.edge_whitespace].result).toBe(2033);
    expect(PCLOUD_ERRORS[FROM_VIOLATION.too_few_distinct].result).toBe(2034);
    expect(PCLOUD_ERRORS[FROM_VIOLATION.only_sequential].result).toBe(2035);
    expect(PCLOUD_ERRORS[FROM_VIOLATION.only_keyboard_run].result).toBe(2035);
    const e = new AuthError('password_policy', undefined, { violations: [{ code: 'too_few_distinct', message: 'm' }] });
    expect(toFailure(e, () => undefined)).toEqual({ result: 2034, error: 'm' });
  });

  it('turns anything unexpected into 5000 and reports it', () => {
    const seen: unknown[] = [];
    expect(toFailure(new TypeError('x'), (e) => seen.push(e))).toEqual({ result: 5000, error: 'Internal error. Try again later.' });
    expect(seen).toHaveLength(1);
    expect(toFailure(new PcloudError({ result: 2009, error: 'File not found.' }), () => undefined)).toEqual({
      result: 2009,
      error: 'File not found.',
    });
  });
});

describe('datetime and parameter helpers', () => {
  it('formats RFC 2822 text, 31 bytes, zero-padded day, +0000; or unix seconds', () => {
    expect(formatTime(Date.UTC(2014, 5, 9, 10, 24, 51), 'text')).toBe('Mon, 09 Jun 2014 10:24:51 +0000');
    expect(formatTime(Date.UTC(2014, 5, 9, 10, 24, 51, 999), 'timestamp')).toBe(1402309491);
  });

  it('parses lifetimes: default for junk, clamp above the max', () => {
    expect(lifetimeSeconds(undefined, 5, 10)).toBe(5);
    expect(lifetimeSeconds('0', 5, 10)).toBe(5);
    expect(lifetimeSeconds('7', 5, 10)).toBe(7);
    expect(lifetimeSeconds('11', 5, 10)).toBe(10);
    for (const junk of ['', '-1', '1.5', '1e3', ' 7', 'x']) expect(lifetimeSeconds(junk, 5, 10)).toBe(5);
  });

  it('resolves the credential in one place with a fixed precedence', () => {
    expect(credentialOf({})).toEqual({ type: 'none' });
    expect(credentialOf({ auth: '' })).toEqual({ type: 'none' });
    expect(credentialOf({ auth: 't' })).toEqual({ type: 'token', token: 't' });
    expect(credentialOf({ auth: 't', username: 'u' })).toEqual({ type: 'token', token: 't' });
    expect(credentialOf({ auth: 't', username: 'u', password: 'p' })).toMatchObject({ type: 'password' });
    expect(credentialOf({ username: 'u', password: 'p', digest: 'd', passworddigest: 'x' })).toMatchObject({ type: 'password' });
    expect(credentialOf({ username: 'u', digest: 'd', passworddigest: 'x' })).toMatchObject({ type: 'digest' });
  });
});

describe.each(testStores())('secrets stay out of events, logs and messages on the $name store', (ts) => {
  it('never puts a password, token, digest or code into an event or an error message', async () => {
    const h = harness(ts);
    const events: AuthEvent[] = [];
    h.auth.events.onAny((e) => events.push(e));
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const bodies: string[] = [];
      const keep = (r: { body: unknown }) => bodies.push(JSON.stringify(r.body));
      keep(await h.get('register', { mail: 'a@example.com', password: PW, termsaccepted: 'yes' }));
      keep(await h.get('userinfo', { username: 'a@example.com', password: 'wrong-secret-9' }));
      const t = await h.login('a@example.com');
      const d = (await h.get('getdigest')).body.digest as string;
      keep(
        await h.get('userinfo', {
          username: 'a@example.com',
          digest: d,
          passworddigest: passwordDigest('wrong-secret-9', 'a@example.com', d),
        }),
      );
      keep(await h.get('changepassword', { auth: t, oldpassword: 'wrong-secret-9', newpassword: 'n3w-secret' }));
      keep(await h.get('lostpassword', { mail: 'a@example.com' }));
      const code = (await h.lastMail('reset')).code;
      keep(await h.get('resetpassword', { code, newpassword: 'abc' }));
      const secrets = [PW, 'wrong-secret-9', 'n3w-secret', t, t.split('.')[1], d, code];
      const dump = JSON.stringify(events) + bodies.join('') + JSON.stringify(log.mock.calls) + JSON.stringify(h.errors);
      for (const s of secrets) expect(dump).not.toContain(s);
      expect(events.length).toBeGreaterThan(3);
      expectOk(await h.get('userinfo', { auth: t }));
    } finally {
      log.mockRestore();
      await h.close();
    }
  });

  it('the default onError logs the error class and method only', async () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const h = harness(ts, { adapter: { onError: undefined } });
    try {
      h.router.method(
        'crash',
        () => {
          throw new Error('password=hunter22 leaked into a message');
        },
        { auth: false },
      );
      await h.get('crash');
      expect(log).toHaveBeenCalledWith('@authmount/pcloud: unexpected Error in crash');
    } finally {
      log.mockRestore();
      await h.close();
    }
  });
});
