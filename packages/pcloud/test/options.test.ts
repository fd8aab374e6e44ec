import { ConfigError, manualClock } from '@authmount/core';
import { createAuth, type Auth, type AuthLogger } from '@authmount/express';
import express from 'express';
import request from 'supertest';
import { refusedConfig, issueFor } from '../../../test-support/config-errors';
import { FAST_HASHING } from '../../../test-support/fast';
import { pcloud, type PcloudOptions } from '../src';
import { KEY } from './helpers';

const refused = (make: () => unknown, factory = 'pcloud'): ConfigError => refusedConfig(make, factory);
const issue = issueFor;

const CLIENT = {
  clientId: 'photo-app',
  clientSecret: 'a-client-secret-of-some-length',
  redirectUris: ['https://photos.example/cb'],
  name: 'Photos',
};

describe('pcloud options are checked at start-up (same format as createAuth)', () => {
  let auth: Auth;
  beforeAll(() => {
    auth = createAuth({ clock: manualClock(), hashing: FAST_HASHING, passwordPolicy: 'pcloud' });
  });
  afterAll(() => auth.close());

  it.each<[string, unknown, string, RegExp]>([
    ['a code lifetime given as text', { codeTtl: { reset: '1h' } }, 'codeTtl.reset', /milliseconds, received string/],
    ['a code lifetime typo', { codeTtl: { rest: 3_600_000 } }, 'codeTtl.rest', /did you mean "reset"/],
    [
      'the removed mailLimit option (now core throttle.mailIp / mailAccount)',
      { mailLimit: { limit: 5, windowMs: 1000 } },
      'mailLimit',
      /unknown option/,
    ],
    ['cookies "some"', { cookies: 'some' }, 'cookies', /'all', 'auth' or 'none'/],
    ['a limits typo', { limits: { maxBodyByte: 10 } }, 'limits.maxBodyByte', /did you mean "maxBodyBytes"/],
    ['a field limit of -1', { limits: { maxFields: -1 } }, 'limits.maxFields', /received -1/],
    ['token lifetimes in fractional seconds', { tokens: { authExpire: 0.5 } }, 'tokens.authExpire', /seconds, received 0.5/],
    ['a mailer that is not a function', { mailer: 'smtp://x' }, 'mailer', /function/],
    ['an unknown option', { digests: false }, 'digests', /did you mean "digest"/],
    ['a digest key of the wrong size', { digest: { key: Buffer.alloc(16) } }, 'digest.key', /32-byte key/],
    ['a digest key that is no key', { digest: { key: 'not-a-key-at-all' } }, 'digest.key', /32-byte key/],
    ['digest: true', { digest: true }, 'digest', /false or \{ key \}/],
    ['oauth without clients', { oauth: {} }, 'oauth.clients', /list of clients or a registry/],
    [
      'an OAuth client with a short secret',
      { oauth: { clients: [{ ...CLIENT, clientSecret: 'short' }] } },
      'oauth.clients.0.clientSecret',
      /16 to 512/,
    ],
    [
      'an OAuth redirect URI over http',
      { oauth: { clients: [{ ...CLIENT, redirectUris: ['http://photos.example/cb'] }] } },
      'oauth.clients.0.redirectUris.0',
      /redirect URI must use https/,
    ],
    ['an OAuth poll typo', { oauth: { clients: [CLIENT], poll: { timeout: 5 } } }, 'oauth.poll.timeout', /did you mean "timeoutMs"/],
    ['an OAuth code lifetime of 0', { oauth: { clients: [CLIENT], codeTtlMs: 0 } }, 'oauth.codeTtlMs', /received 0/],
  ])('refuses %s, naming the option', (_what, options, option, message) => {
    expect(
      issue(
        refused(() => pcloud(auth, options as PcloudOptions)),
        option,
      ),
    ).toMatch(message);
  });

  it('never echoes a key or a secret', () => {
    const err = refused(() =>
      pcloud(auth, { digest: { key: 'hunter2-key' }, oauth: { clients: [{ ...CLIENT, clientSecret: 'hunter2' }] } }),
    );
    expect(err.issues.map((i) => i.option).sort()).toEqual(['digest.key', 'oauth.clients.0.clientSecret']);
    expect(err.message).not.toContain('hunter2');
  });

  it('checks .method() and .guard() options', () => {
    const api = pcloud(auth);
    expect(
      issue(
        refused(() => api.method('listfolder', () => ({}), { scopes: 'read' } as never), 'pcloud .method()'),
        'scopes',
      ),
    ).toMatch(/array of scope names/);
    expect(
      issue(
        refused(() => api.guard({ auht: false } as never), 'pcloud .guard()'),
        'auht',
      ),
    ).toMatch(/did you mean "auth"/);
  });

  it('accepts undefined for every optional option', () => {
    const env: Record<string, string | undefined> = {};
    expect(() =>
      pcloud(auth, {
        passwordPolicy: undefined,
        mailer: undefined,
        tokens: { authExpire: undefined, maxAuthExpire: undefined },
        codeTtl: { reset: env.RESET_TTL ? Number(env.RESET_TTL) : undefined },
        cookies: undefined,
        limits: { maxBodyBytes: undefined, maxFields: undefined },
        userinfo: undefined,
        inviteUrl: undefined,
        onError: undefined,
        oauth: { clients: [CLIENT], codeTtlMs: undefined, tokens: { idleTtl: undefined }, poll: { maxWaiting: undefined } },
      }).method('x', () => ({}), { auth: undefined, scopes: undefined, body: undefined }),
    ).not.toThrow();
  });
});

describe('pcloud digest login without a key (PCLOUD_DIGEST_KEY unset, as in the README)', () => {
  function capture(): AuthLogger & { lines: Array<{ level: string; obj: object; msg?: string }> } {
    const lines: Array<{ level: string; obj: object; msg?: string }> = [];
    const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj, msg });
    return { lines, info: at('info'), warn: at('warn'), error: at('error') };
  }

  it.each([undefined, ''])('key %j: starts with digest login off and says so once, through the logger', async (key) => {
    const logger = capture();
    const auth = createAuth({ clock: manualClock(), hashing: FAST_HASHING, logger });
    try {
      const app = express().use('/pcloud', pcloud(auth, { digest: { key } }));
      const notices = logger.lines.filter((l) => /digest login is off/.test(l.msg ?? ''));
      expect(notices).toEqual([
        { level: 'warn', obj: { adapter: 'pcloud', option: 'digest.key' }, msg: expect.stringContaining('digest.key is not set') },
      ]);
      for (let i = 0; i < 3; i++) expect((await request(app).get('/pcloud/getdigest')).body).toMatchObject({ result: 2237 });
      expect(logger.lines.filter((l) => /digest login is off/.test(l.msg ?? ''))).toHaveLength(1); // not per request
    } finally {
      await auth.close();
    }
  });

  it('without a logger: one stderr line at start-up', async () => {
    const auth = createAuth({ clock: manualClock(), hashing: FAST_HASHING });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      pcloud(auth, { digest: { key: process.env.AUTHMOUNT_TEST_NO_SUCH_VARIABLE } });
      expect(warn.mock.calls).toEqual([[expect.stringMatching(/^@authmount\/pcloud: digest login is off/)]]);
    } finally {
      warn.mockRestore();
      await auth.close();
    }
  });

  it('with a key: digest login on, nothing said', async () => {
    const logger = capture();
    const auth = createAuth({ clock: manualClock(), hashing: FAST_HASHING, logger });
    try {
      const app = express().use('/pcloud', pcloud(auth, { digest: { key: KEY.toString('hex') } }));
      expect((await request(app).get('/pcloud/getdigest')).body).toMatchObject({ result: 0 });
      expect(logger.lines.filter((l) => /digest/.test(l.msg ?? ''))).toEqual([]);
    } finally {
      await auth.close();
    }
  });
});
