import { AuthError, ConfigError, DAY, HOUR, manualClock } from '@authmount/core';
import { createAuth } from '@authmount/express';
import request from 'supertest';
import { buildDemo } from '../../../examples/quickstart/app';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import { defaultUser, xAuthBearer, type XAuthUser } from '../src';
import { ANNA, harness, PASSWORD } from './helpers';

describe('defaultUser', () => {
  const account = (attributes: Record<string, never> | Record<string, unknown>) =>
    ({ id: 7, login: 'x', email: null, attributes, createdAt: 0, updatedAt: 0, expiresAt: null, hasPassword: true }) as Parameters<
      typeof defaultUser
    >[0];

  it('keeps a permissions string as is and joins a list with ";"', () => {
    expect(defaultUser(account({ permissions: 'a;b' })).permissions).toBe('a;b');
    expect(defaultUser(account({ permissions: ['a', '', 'b', 3] })).permissions).toBe('a;b');
  });

  it('gives null for absent or ill-typed tel, name and organization', () => {
    const u = defaultUser(account({ tel: { no: 1 }, name: ['x'], organization: 'Acme' }));
    expect(u).toEqual({ id: 7, login: 'x', email: null, tel: null, name: null, organization: null, permissions: '' });
    expect(defaultUser(account({ tel: 500600700 })).tel).toBe('500600700');
  });
});

describe('options', () => {
  it('refuses lifetimes that are not positive integers or exceed the auth maximum', async () => {
    const auth = createAuth({ hashing: FAST_HASHING, tokens: { maxTtl: 7 * DAY } });
    try {
      expect(() => xAuthBearer(auth, { shortTtl: 0 })).toThrow(ConfigError);
      expect(() => xAuthBearer(auth, { shortTtl: 1.5 })).toThrow(
        /shortTtl: expected a positive integer number of milliseconds, received 1.5/,
      );
      expect(() => xAuthBearer(auth, { shortTtl: '1h' } as never)).toThrow(/shortTtl: .* received string/);
      expect(() => xAuthBearer(auth, { longTTL: DAY } as never)).toThrow(/longTTL: unknown option; .*did you mean "longTtl"/);
      expect(() => xAuthBearer(auth, { bodyLimit: 'lots' })).toThrow(/bodyLimit: expected a number of bytes or a size like '64kb'/);
      expect(() => xAuthBearer(auth, { longTtl: DAY }).guard({ scopes: 'read' } as never)).toThrow(
        /^Invalid authmount configuration \(xAuthBearer \.guard\(\)\):\n {2}- scopes: expected an array/,
      );
      // The default 30-day long token does not fit a 7-day maximum: say so at start-up.
      expect(() => xAuthBearer(auth)).toThrow(
        /Invalid authmount configuration \(xAuthBearer\):\n {2}- longTtl: expected at most the auth's maximum token lifetime/,
      );
      expect(() => xAuthBearer(auth, { longTtl: 7 * DAY })).not.toThrow();
      expect(() => xAuthBearer(auth, { longTtl: 7 * DAY, shortTtl: undefined, user: undefined, bodyLimit: undefined })).not.toThrow();
    } finally {
      await auth.close();
    }
  });
});

describe.each(testStores())('configuration ($name store)', (ts) => {
  it('uses configured lifetimes', async () => {
    const h = await harness(ts, { adapter: { shortTtl: HOUR, longTtl: 2 * DAY } });
    try {
      const short = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD });
      expect(short.body.validTo).toBe('2026-01-01T01:00:00Z');
      const long = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD, longtoken: 'true' });
      expect(long.body.validTo).toBe('2026-01-03T00:00:00Z');
      h.clock.advance(HOUR);
      expect((await request(h.app).get('/xauth/login').query({ token: short.body.token })).status).toBe(404);
    } finally {
      await h.auth.close();
    }
  });

  it('shapes the user with the hook, which never gets to send a password', async () => {
    const seen: XAuthUser[] = [];
    const h = await harness(ts, {
      adapter: {
        user: async (account, base) => {
          seen.push(base);
          return { ...base, tel: undefined, pass: 'leak', password: 'leak', passwordHash: 'leak', hasPassword: account.hasPassword };
        },
      },
    });
    try {
      const res = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual({ ...seen[0], tel: undefined, hasPassword: true });
      expect(res.text).not.toContain('leak');
      const check = await request(h.app).get('/xauth/login').query({ token: res.body.token });
      expect(check.body.user).toEqual(res.body.user);
    } finally {
      await h.auth.close();
    }
  });

  it('answers an AuthError from the hook in the adapter format, issuing no token', async () => {
    const h = await harness(ts, {
      adapter: {
        user: () => {
          throw new AuthError('forbidden_kind', 'This account may not use the API.');
        },
      },
    });
    try {
      const res = await request(h.app).post('/xauth/login').type('form').send({ login: ANNA.login, pass: PASSWORD });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ status: 403, error: 'forbidden_kind', message: 'This account may not use the API.' });
      expect(await h.auth.tokens.list(h.annaId)).toEqual([]);
    } finally {
      await h.auth.close();
    }
  });

  it('is mounted in the demo server at /xauth', async () => {
    const clock = manualClock();
    const demo = await buildDemo({ store: ts.make(clock), clock, hashing: FAST_HASHING, log: () => undefined });
    try {
      const res = await request(demo.app).post('/xauth/login').type('form').send({ login: 'alice', pass: demo.users[0].password });
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ login: 'alice', email: 'alice@example.com' });
      expect((await request(demo.app).get('/xauth/login').set('X-Auth-Bearer', res.body.token)).status).toBe(200);
    } finally {
      await demo.auth.close();
    }
  });
});
