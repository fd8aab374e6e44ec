import { memoryStore } from '@authmount/store-memory';
import {
  AuthError,
  AuthEvents,
  assertStorable,
  DAY,
  DEFAULT_TOKEN_POLICY,
  HOUR,
  MINUTE,
  TokenService,
  hashSecret,
  manualClock,
  parseToken,
  type AuthEvent,
  type AuthenticateResult,
  type TokenData,
  type TokenPolicy,
  type TokenStore,
} from '../src';
import { authError } from './helpers';

// The TokenService's own rules, over a memory store whose every call is recorded: input checks and their
// messages, id collisions, defence in depth against a store that forgets to compare, the events and their
// payloads, and the calls a refused input must not make. tokens.test.ts covers the lifecycle through the core.

function makeService(policy: TokenPolicy = DEFAULT_TOKEN_POLICY, over: Partial<TokenStore> = {}) {
  const clock = manualClock();
  const real = memoryStore({ clock, sweepIntervalMs: 0 }).tokens;
  const calls: string[] = [];
  const store = new Proxy(real, {
    get(target, name: string) {
      const own = (over as Record<string, unknown>)[name] ?? (target as unknown as Record<string, unknown>)[name];
      if (typeof own !== 'function') return own;
      return (...a: unknown[]) => {
        calls.push(name);
        return (own as (...x: unknown[]) => unknown).apply(target, a);
      };
    },
  }) as TokenStore;
  const events = new AuthEvents();
  const seen: AuthEvent[] = [];
  events.onAny((e) => seen.push(e));
  return { svc: new TokenService(store, clock, events, policy), clock, calls, events: seen, real };
}

/** Another well-formed id: the last digit changed (ids are large: tag × 2^43 + a random part ≥ 1). */
const otherId = (id: string) => `${id.slice(0, -1)}${(Number(id.at(-1)) + 1) % 10}`;

const POLICY: TokenPolicy = { absoluteTtl: 10 * DAY, idleTtl: DAY, maxTtl: 30 * DAY };

describe('TokenService: issue', () => {
  it('uses the policy lifetimes by default, capped at maxTtl', async () => {
    const { svc, clock } = makeService(POLICY);
    const { info } = await svc.issue({ userId: 1 });
    const now = clock();
    expect(info).toMatchObject({
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 10 * DAY,
      idleTtl: DAY,
      idleExpiresAt: now + DAY,
      maxExpiresAt: now + 30 * DAY,
    });
    const capped = makeService({ absoluteTtl: 40 * DAY, idleTtl: 50 * DAY, maxTtl: 30 * DAY });
    const c = (await capped.svc.issue({ userId: 1 })).info;
    expect([c.expiresAt - c.createdAt, c.idleTtl, c.maxExpiresAt - c.createdAt]).toEqual([30 * DAY, 30 * DAY, 30 * DAY]);
  });

  it('takes lifetimes in whole milliseconds, capped at maxTtl; the idle expiry never passes the absolute one', async () => {
    const { svc, clock } = makeService(POLICY);
    const { info } = await svc.issue({ userId: 1, absoluteTtl: HOUR + 0.9, idleTtl: 2 * HOUR, maxLifetime: 5 * DAY + 0.5 });
    const now = clock();
    expect(info).toMatchObject({ expiresAt: now + HOUR, idleTtl: 2 * HOUR, idleExpiresAt: now + HOUR, maxExpiresAt: now + 5 * DAY });
    const big = (await svc.issue({ userId: 1, absoluteTtl: 99 * DAY, idleTtl: 99 * DAY, maxLifetime: 99 * DAY })).info;
    expect([big.expiresAt - now, big.idleTtl, big.maxExpiresAt - now]).toEqual([30 * DAY, 30 * DAY, 30 * DAY]);
    // The ceiling is at least the absolute lifetime.
    expect((await svc.issue({ userId: 1, absoluteTtl: 3 * DAY, maxLifetime: DAY })).info.maxExpiresAt).toBe(now + 3 * DAY);
  });

  it.each([
    ['absoluteTtl', 0],
    ['absoluteTtl', -1],
    ['absoluteTtl', Number.NaN],
    ['absoluteTtl', Number.POSITIVE_INFINITY],
    ['absoluteTtl', '60000'],
    ['idleTtl', 0],
    ['idleTtl', Number.NaN],
    ['idleTtl', '1'],
    ['maxLifetime', -5],
    ['maxLifetime', Number.POSITIVE_INFINITY],
  ])('refuses %s = %p with invalid_request naming the option, before any store call', async (name, value) => {
    const { svc, calls } = makeService(POLICY);
    const e = await authError(svc.issue({ userId: 1, [name]: value as number }));
    expect(e.code).toBe('invalid_request');
    expect(e.message).toBe(`${name} must be a positive number of milliseconds.`);
    expect(calls).toEqual([]);
  });

  it('infers the kind: app without a user, user with one; a user or guest token needs a user', async () => {
    const { svc, calls } = makeService();
    expect((await svc.issue({ userId: null })).info.kind).toBe('app');
    expect((await svc.issue({ userId: 3 })).info.kind).toBe('user');
    expect((await svc.issue({ userId: 3, kind: 'app' })).info).toMatchObject({ kind: 'app', userId: 3 });
    calls.length = 0;
    for (const kind of ['user', 'guest'] as const) {
      const e = await authError(svc.issue({ userId: null, kind }));
      expect([e.code, e.message]).toEqual(['invalid_request', `a ${kind} token needs a user.`]);
    }
    expect(calls).toEqual([]);
  });

  it('defaults issuer, app id, device and data; keeps a device of up to 256 characters; copies scopes and data', async () => {
    const { svc } = makeService();
    const plain = (await svc.issue({ userId: 1 })).info;
    expect(plain).toMatchObject({ issuer: 'authmount', appId: null, device: '', data: {} });
    const scopes = ['read'];
    const data = { a: 1 };
    const given = (await svc.issue({ userId: 1, issuer: 'pcloud', appId: 'ap', device: 'd'.repeat(300), scopes, data })).info;
    expect(given).toMatchObject({ issuer: 'pcloud', appId: 'ap', device: 'd'.repeat(256), scopes: ['read'], data: { a: 1 } });
    expect((await svc.issue({ userId: 1, device: 'd'.repeat(256) })).info.device).toHaveLength(256);
    expect((await svc.issue({ userId: 1, device: 42 as unknown as string })).info.device).toBe('');
    scopes.push('write');
    data.a = 2;
    expect(await svc.get(given.id)).toMatchObject({ scopes: ['read'], data: { a: 1 } });
  });

  it('drops control characters from the device; refuses data with a NUL anywhere (no store can be made to fail on it)', async () => {
    const { svc, calls } = makeService();
    expect((await svc.issue({ userId: 1, device: 'a\u0000b\u001b[0m\tc\u007f' })).info.device).toBe('ab[0mc');
    // Dropped before the cut: 256 visible characters survive a prefix of control characters.
    expect((await svc.issue({ userId: 1, device: '\r\n'.repeat(10) + 'd'.repeat(300) })).info.device).toBe('d'.repeat(256));
    calls.length = 0;
    const refused: TokenData[] = [{ k: 'a\u0000' }, { ['k\u0000']: 1 }];
    for (const data of refused) {
      const e = await authError(svc.issue({ userId: 1, data }));
      expect([e.code, e.message, e.details.field]).toEqual([
        'invalid_request',
        'token data must not contain NUL characters.',
        'token data',
      ]);
    }
    expect(calls).toEqual([]);
    expect((await svc.issue({ userId: 1, data: { k: 'tab\tok \\u0000 is text' } })).info.data).toEqual({ k: 'tab\tok \\u0000 is text' });
  });

  it('bounds data at 2048 bytes of JSON (UTF-8), with a message that says so', async () => {
    const { svc } = makeService();
    // {"k":"..."} is 8 bytes around the value.
    await expect(svc.issue({ userId: 1, data: { k: 'x'.repeat(2040) } })).resolves.toBeTruthy();
    const e = await authError(svc.issue({ userId: 1, data: { k: 'x'.repeat(2041) } }));
    expect([e.code, e.message]).toEqual(['invalid_request', 'token data must stay under 2048 bytes.']);
    // Bytes, not characters: 1,000 three-byte characters are 3,000 bytes.
    expect((await authError(svc.issue({ userId: 1, data: { k: '€'.repeat(1000) } }))).code).toBe('invalid_request');
  });

  it('draws a new id on a collision, up to 5 tries, then fails closed as store_unavailable', async () => {
    let refusals = 4;
    const { svc, calls, real } = makeService(DEFAULT_TOKEN_POLICY, {
      create: (record) => (refusals-- > 0 ? Promise.resolve(false) : real.create(record)),
    });
    const { token, info } = await svc.issue({ userId: 1 });
    expect(calls.filter((c) => c === 'create')).toHaveLength(5);
    expect((await svc.authenticate(token)).id).toBe(info.id);
    refusals = 5;
    calls.length = 0;
    const e = await authError(svc.issue({ userId: 1 }));
    expect([e.code, e.message]).toEqual(['store_unavailable', 'could not allocate a token id']);
    expect(calls).toEqual(['create', 'create', 'create', 'create', 'create']);
  });

  it('emits token.issued with the public handles only', async () => {
    const { svc, clock, events } = makeService();
    const { info } = await svc.issue({ userId: 7, appId: 'ap' });
    expect(events).toEqual([{ type: 'token.issued', at: clock(), tokenId: info.id, userId: 7, kind: 'user', appId: 'ap' }]);
  });
});

describe('assertStorable', () => {
  it('finds a NUL in any string or key, however deep, and nothing else', () => {
    for (const bad of ['\u0000', ['ok', ['x\u0000']], { a: { b: [{ c: 'd\u0000' }] } }, { ['\u0000']: 1 }, { a: { ['b\u0000']: null } }]) {
      expect(() => assertStorable('thing', bad)).toThrow(new AuthError('invalid_request', 'thing must not contain NUL characters.'));
    }
    for (const ok of ['\\u0000', 'tab\t', 0, null, true, [], {}, { a: [1, 'b', { c: null }] }])
      expect(() => assertStorable('thing', ok)).not.toThrow();
  });
});

describe('TokenService: authenticate and peek', () => {
  it('says token_missing for undefined, null and "", token_invalid (and a malformed event) for the rest, with no store call', async () => {
    const { svc, calls, events, clock } = makeService();
    for (const none of [undefined, null, '']) {
      expect((await authError(svc.authenticate(none))).code).toBe('token_missing');
      expect((await authError(svc.peek(none))).code).toBe('token_missing');
    }
    expect(events).toEqual([]);
    expect((await authError(svc.authenticate('junk'))).code).toBe('token_invalid');
    expect(events).toEqual([{ type: 'token.rejected', at: clock(), reason: 'malformed' }]);
    expect(calls).toEqual([]);
  });

  it('emits token.authenticated only with a listener, with the public handles', async () => {
    const { svc, clock, events } = makeService();
    const { token, info } = await svc.issue({ userId: 2 });
    events.length = 0;
    clock.advance(MINUTE);
    await svc.authenticate(token);
    expect(events).toEqual([{ type: 'token.authenticated', at: clock(), tokenId: info.id, userId: 2, kind: 'user' }]);
  });

  it('names the reason of a refusal in token.rejected: unknown, mismatch, expired, foreign', async () => {
    const { svc, clock, events } = makeService(POLICY);
    const { token, info } = await svc.issue({ userId: 2 });
    const other = `${info.id}.${'A'.repeat(43)}`;
    events.length = 0;
    expect((await authError(svc.authenticate(`${otherId(info.id)}.${'A'.repeat(43)}`))).code).toBe('token_invalid');
    expect((await authError(svc.authenticate(other))).code).toBe('token_invalid');
    expect((await authError(svc.peek(other))).code).toBe('token_invalid');
    expect((await authError(svc.authenticate(token, { issuers: ['pcloud'] }))).code).toBe('token_invalid');
    clock.advance(2 * DAY);
    expect((await authError(svc.authenticate(token))).code).toBe('token_expired');
    expect((await authError(svc.peek(token))).code).toBe('token_invalid');
    expect(events.map((e) => (e as AuthEvent<'token.rejected'>).reason)).toEqual([
      'unknown',
      'mismatch',
      'mismatch',
      'foreign',
      'expired',
      'unknown',
    ]);
    expect(
      events.every((e) => e.type === 'token.rejected' && [info.id, otherId(info.id)].includes((e as AuthEvent<'token.rejected'>).tokenId!)),
    ).toBe(true);
  });

  it('refuses a wrong secret even from a store that forgot to compare (defence in depth)', async () => {
    const { svc, real, clock } = makeService(DEFAULT_TOKEN_POLICY, {
      // A broken third-party store: finds the record and says ok, whatever the secret.
      authenticate: async (id, _hash, now): Promise<AuthenticateResult> => {
        const record = await real.peek(id, now);
        return record ? { ok: true, record } : { ok: false, reason: 'unknown' };
      },
      peek: (id, now) => real.peek(id, now),
    });
    const { token, info } = await svc.issue({ userId: 1 });
    const forged = `${info.id}.${'A'.repeat(43)}`;
    expect((await authError(svc.authenticate(forged))).code).toBe('token_invalid');
    expect((await svc.authenticate(token)).id).toBe(info.id);
    clock.advance(MINUTE);
    expect((await svc.peek(token)).id).toBe(info.id);
  });

  it('refuses another issuer and checks requirements even from a store that forgot to filter', async () => {
    const { svc, real } = makeService(DEFAULT_TOKEN_POLICY, {
      authenticate: async (id, _hash, now): Promise<AuthenticateResult> => {
        const record = await real.peek(id, now);
        return record ? { ok: true, record } : { ok: false, reason: 'unknown' };
      },
    });
    const theirs = await svc.issue({ userId: 1, issuer: 'pcloud' });
    expect((await authError(svc.authenticate(theirs.token, { issuers: ['authmount'] }))).code).toBe('token_invalid');
    const app = await svc.issue({ userId: null });
    expect((await authError(svc.authenticate(app.token, { kinds: ['user'] }))).code).toBe('forbidden_kind');
    expect((await authError(svc.authenticate(app.token, { scopes: ['write'] }))).code).toBe('forbidden_scope');
  });

  it('answers a store refusal by kind or scope as 403-class, by issuer as an unknown token', async () => {
    const { svc } = makeService();
    const app = await svc.issue({ userId: null, issuer: 'cb' });
    expect((await authError(svc.authenticate(app.token, { issuers: ['cb'], kinds: ['user'] }))).code).toBe('forbidden_kind');
    expect((await authError(svc.authenticate(app.token, { issuers: ['cb'], scopes: ['write'] }))).code).toBe('forbidden_scope');
    expect((await authError(svc.authenticate(app.token, { issuers: ['x'], kinds: ['user'] }))).code).toBe('token_invalid');
    expect((await authError(svc.peek(app.token, { issuers: ['cb'], kinds: ['user'] }))).code).toBe('forbidden_kind');
  });

  it('peek hashes the presented secret: the stored hash presented as a secret is refused', async () => {
    const { svc, real, clock } = makeService();
    const { token, info } = await svc.issue({ userId: 1 });
    const stored = await real.peek(info.id, clock());
    expect(stored!.secretHash).toBe(hashSecret(parseToken(token)!.secret));
    expect((await authError(svc.peek(`${info.id}.${stored!.secretHash}`))).code).toBe('token_invalid');
  });
});

describe('TokenService: management', () => {
  it('get: null for a malformed id without a store call, the record without its hash otherwise', async () => {
    const { svc, calls } = makeService();
    const { info } = await svc.issue({ userId: 1 });
    calls.length = 0;
    expect(await svc.get('x')).toBeNull();
    expect(await svc.get('')).toBeNull();
    expect(calls).toEqual([]);
    expect(await svc.get(info.id)).toEqual(info);
    expect(await svc.get(otherId(info.id))).toBeNull();
  });

  it('extend: checks its lifetimes like issue, caps at maxTtl, emits token.extended; a plain touch slides', async () => {
    const { svc, clock, events } = makeService(POLICY);
    const { info } = await svc.issue({ userId: 1 });
    clock.advance(HOUR);
    for (const bad of [0, -1, Number.NaN]) {
      expect((await authError(svc.extend(info.id, { absoluteTtl: bad }))).message).toBe(
        'absoluteTtl must be a positive number of milliseconds.',
      );
      expect((await authError(svc.extend(info.id, { idleTtl: bad }))).message).toBe('idleTtl must be a positive number of milliseconds.');
    }
    events.length = 0;
    const touched = await svc.extend(info.id);
    expect([touched.expiresAt, touched.idleExpiresAt, touched.idleTtl]).toEqual([info.expiresAt, clock() + DAY, DAY]);
    const idle = await svc.extend(info.id, { idleTtl: 2 * HOUR + 0.5 });
    expect([idle.expiresAt, idle.idleTtl, idle.idleExpiresAt]).toEqual([info.expiresAt, 2 * HOUR, clock() + 2 * HOUR]);
    const both = await svc.extend(info.id, { absoluteTtl: 99 * DAY, idleTtl: 99 * DAY });
    expect([both.expiresAt, both.idleTtl]).toEqual([info.createdAt + 30 * DAY, 30 * DAY]);
    expect(events).toEqual([
      { type: 'token.extended', at: clock(), tokenId: info.id, expiresAt: info.expiresAt },
      { type: 'token.extended', at: clock(), tokenId: info.id, expiresAt: info.expiresAt },
      { type: 'token.extended', at: clock(), tokenId: info.id, expiresAt: info.createdAt + 30 * DAY },
    ]);
  });

  it('upgrade and downgrade: default and given scopes, events; a malformed or unknown id is token_invalid without a write', async () => {
    const { svc, clock, events, calls } = makeService();
    const { info } = await svc.issue({ userId: null });
    events.length = 0;
    expect(await svc.upgrade(info.id, 4, { kind: 'guest' })).toMatchObject({
      userId: 4,
      kind: 'guest',
      scopes: ['read', 'write', 'account'],
    });
    expect(await svc.upgrade(info.id, 5, { scopes: ['read'] })).toMatchObject({ userId: 5, kind: 'user', scopes: ['read'] });
    expect(await svc.downgrade(info.id, { scopes: ['ping'] })).toMatchObject({ userId: null, kind: 'app', scopes: ['ping'] });
    expect(events).toEqual([
      { type: 'token.upgraded', at: clock(), tokenId: info.id, userId: 4 },
      { type: 'token.upgraded', at: clock(), tokenId: info.id, userId: 5 },
      { type: 'token.downgraded', at: clock(), tokenId: info.id },
    ]);
    calls.length = 0;
    expect((await authError(svc.upgrade('nope', 1))).code).toBe('token_invalid');
    expect((await authError(svc.setData('nope', {}))).code).toBe('token_invalid');
    expect(calls).toEqual([]);
    expect((await authError(svc.upgrade('123', 1))).code).toBe('token_invalid');
  });

  it('setData: replaces the bag, bounded like issue', async () => {
    const { svc } = makeService();
    const { info } = await svc.issue({ userId: 1, data: { a: 1 } });
    expect((await svc.setData(info.id, { b: 2 })).data).toEqual({ b: 2 });
    expect((await authError(svc.setData(info.id, { k: 'x'.repeat(3000) }))).code).toBe('invalid_request');
    expect((await svc.get(info.id))!.data).toEqual({ b: 2 });
  });

  it('revoke: false for a malformed id without a store call; an event with the reason only when a token went', async () => {
    const { svc, clock, events, calls } = makeService();
    const { info } = await svc.issue({ userId: 1 });
    const other = await svc.issue({ userId: 1 });
    events.length = 0;
    calls.length = 0;
    expect(await svc.revoke('x')).toBe(false);
    expect(calls).toEqual([]);
    expect(await svc.revoke(info.id)).toBe(true);
    expect(await svc.revoke(info.id)).toBe(false);
    expect(await svc.revoke(other.info.id, 'admin')).toBe(true);
    expect(events).toEqual([
      { type: 'token.revoked', at: clock(), tokenId: info.id, userId: null, reason: 'revoked' },
      { type: 'token.revoked', at: clock(), tokenId: other.info.id, userId: null, reason: 'admin' },
    ]);
  });

  it('revokeToken: logout by default, with the owner in the event', async () => {
    const { svc, clock, events } = makeService();
    const a = await svc.issue({ userId: 3 });
    const b = await svc.issue({ userId: 3 });
    events.length = 0;
    await svc.revokeToken(a.token);
    await svc.revokeToken(b.token, 'expired-password');
    expect(events).toEqual([
      { type: 'token.revoked', at: clock(), tokenId: a.info.id, userId: 3, reason: 'logout' },
      { type: 'token.revoked', at: clock(), tokenId: b.info.id, userId: 3, reason: 'expired-password' },
    ]);
    expect(await svc.get(a.info.id)).toBeNull();
  });

  it('revokeAll: everything without except, an event only when something went, revoke_all by default', async () => {
    const { svc, clock, events } = makeService();
    await svc.issue({ userId: 3 });
    await svc.issue({ userId: 3 });
    const kept = await svc.issue({ userId: 4 });
    events.length = 0;
    expect(await svc.revokeAll(3)).toBe(2);
    expect(await svc.revokeAll(3)).toBe(0);
    expect(await svc.revokeAll(4, { reason: 'password_changed', except: [kept.info.id] })).toBe(0);
    // Nothing revoked, nothing said.
    expect(events).toEqual([{ type: 'token.revoked', at: clock(), tokenId: '*', userId: 3, reason: 'revoke_all' }]);
    await svc.issue({ userId: 4 });
    events.length = 0;
    expect(await svc.revokeAll(4, { reason: 'password_changed', except: [kept.info.id] })).toBe(1);
    expect(await svc.get(kept.info.id)).not.toBeNull();
    expect(events).toEqual([{ type: 'token.revoked', at: clock(), tokenId: '*', userId: 4, reason: 'password_changed' }]);
    events.length = 0;
    await svc.issue({ userId: 5 });
    events.length = 0;
    await svc.revokeAll(5);
    expect(events).toEqual([{ type: 'token.revoked', at: clock(), tokenId: '*', userId: 5, reason: 'revoke_all' }]);
  });
});
