import { ACCOUNT_SCOPE, AuthError, DAY, HOUR, MINUTE, hashSecret, parseToken, type AuthStore } from '../src';
import { makeCore } from './helpers';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AuthError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('TokenService', () => {
  it('issues `<id>.<secret>` tokens of at most 64 bytes with a 256-bit secret, all distinct', async () => {
    const { core } = makeCore();
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { token, info } = await core.tokens.issue({ userId: 1 });
      expect(Buffer.byteLength(token)).toBeLessThanOrEqual(64);
      const parsed = parseToken(token)!;
      expect(parsed.id).toBe(info.id);
      expect(Buffer.from(parsed.secret, 'base64url')).toHaveLength(32);
      seen.add(token);
    }
    expect(seen.size).toBe(200);
  });

  it('authenticates and slides the idle expiry; peek does not slide', async () => {
    const { core, clock } = makeCore({ tokens: { absoluteTtl: 10 * DAY, idleTtl: DAY } });
    const { token, info } = await core.tokens.issue({ userId: 1, device: 'jest' });
    expect(info).toMatchObject({ userId: 1, kind: 'user', scopes: ['read', 'write', 'account'], device: 'jest' });
    expect(info).not.toHaveProperty('secretHash');
    clock.advance(20 * HOUR);
    const t = await core.tokens.authenticate(token);
    expect(t.idleExpiresAt).toBe(clock() + DAY);
    clock.advance(20 * HOUR);
    expect((await core.tokens.peek(token)).idleExpiresAt).toBe(t.idleExpiresAt);
    clock.advance(4 * HOUR);
    expect(await code(core.tokens.authenticate(token))).toBe('token_expired');
  });

  it('enforces the absolute expiry even for a token in constant use', async () => {
    const { core, clock } = makeCore({ tokens: { absoluteTtl: 3 * DAY, idleTtl: DAY } });
    const { token, info } = await core.tokens.issue({ userId: 1 });
    for (let i = 0; i < 5; i++) {
      clock.advance(12 * HOUR);
      const t = await core.tokens.authenticate(token);
      expect(t.idleExpiresAt).toBeLessThanOrEqual(info.expiresAt);
    }
    clock.set(info.expiresAt - 1);
    expect((await core.tokens.authenticate(token)).idleExpiresAt).toBe(info.expiresAt);
    clock.advance(1);
    expect(await code(core.tokens.authenticate(token))).not.toBe('ok');
  });

  it('rejects malformed credentials before touching the store', async () => {
    let calls = 0;
    const { core, store } = makeCore();
    const auth = store.tokens.authenticate.bind(store.tokens);
    store.tokens.authenticate = (...a) => {
      calls++;
      return auth(...a);
    };
    expect(await code(core.tokens.authenticate(undefined))).toBe('token_missing');
    expect(await code(core.tokens.authenticate(''))).toBe('token_missing');
    for (const bad of [
      42,
      ['1.x'],
      { id: 1 },
      'x'.repeat(1 << 20),
      'abc',
      '1.short',
      '0.' + 'a'.repeat(43),
      '99999999999999999.' + 'a'.repeat(43),
      '1.' + 'a'.repeat(42) + '=',
      ' 1.' + 'a'.repeat(43),
    ]) {
      expect(await code(core.tokens.authenticate(bad))).toBe('token_invalid');
    }
    expect(calls).toBe(0);
  });

  it('rejects a wrong secret for a real id, without sliding it', async () => {
    const { core, clock } = makeCore();
    const { token, info } = await core.tokens.issue({ userId: 1 });
    const forged = `${info.id}.${'A'.repeat(43)}`;
    clock.advance(HOUR);
    expect(await code(core.tokens.authenticate(forged))).toBe('token_invalid');
    expect((await core.tokens.peek(token)).idleExpiresAt).toBe(info.idleExpiresAt);
  });

  it('keeps no usable token in the store: a stored record cannot be turned back into a token', async () => {
    const { core, store } = makeCore();
    const { token, info } = await core.tokens.issue({ userId: 1 });
    const secret = parseToken(token)!.secret;
    const stored = await store.tokens.peek(info.id, core.clock());
    const dump = JSON.stringify(stored);
    expect(dump).not.toContain(secret);
    expect(stored!.secretHash).toBe(hashSecret(secret));
    // Presenting what the store holds as if it were the secret fails.
    expect(await code(core.tokens.authenticate(`${info.id}.${stored!.secretHash}`))).toBe('token_invalid');
  });

  it('checks scopes and kinds', async () => {
    const { core } = makeCore();
    const app = await core.tokens.issue({ userId: null, appId: 'a1' });
    expect(app.info).toMatchObject({ kind: 'app', scopes: ['read'], appId: 'a1', userId: null });
    expect(await code(core.tokens.authenticate(app.token, { scopes: ['write'] }))).toBe('forbidden_scope');
    expect(await code(core.tokens.authenticate(app.token, { kinds: ['user'] }))).toBe('forbidden_kind');
    expect(await code(core.tokens.authenticate(app.token, { scopes: ['read'], kinds: ['app'] }))).toBe('ok');
    expect(await code(core.tokens.issue({ userId: null, kind: 'user' }))).toBe('invalid_request');
    expect(await code(core.tokens.issue({ userId: 1, absoluteTtl: -5 }))).toBe('invalid_request');
    expect(await code(core.tokens.issue({ userId: 1, data: { big: 'x'.repeat(5000) } }))).toBe('invalid_request');
  });

  it('records the issuer; peek and revokeToken apply the filter, and a refused token stays untouched', async () => {
    const { core, store, clock } = makeCore();
    const mine = await core.tokens.issue({ userId: 1 });
    const theirs = await core.tokens.issue({ userId: 1, issuer: 'pcloud' });
    expect(mine.info.issuer).toBe('authmount');
    expect(theirs.info.issuer).toBe('pcloud');
    const own = { issuers: ['authmount'] };
    clock.advance(MINUTE);
    expect(await code(core.tokens.peek(theirs.token, own))).toBe('token_invalid');
    expect(await code(core.tokens.revokeToken(theirs.token, 'logout', own))).toBe('token_invalid');
    expect(await code(core.tokens.authenticate(theirs.token, own))).toBe('token_invalid');
    expect(await code(core.tokens.revokeToken(theirs.token, 'logout', { issuers: ['pcloud'], scopes: ['admin'] }))).toBe('forbidden_scope');
    // Still there, not slid.
    expect(await store.tokens.peek(theirs.info.id, clock())).toMatchObject({
      lastUsedAt: theirs.info.lastUsedAt,
      idleExpiresAt: theirs.info.idleExpiresAt,
    });
    expect((await core.tokens.revokeToken(mine.token, 'logout', own)).id).toBe(mine.info.id);
    expect(await core.tokens.get(mine.info.id)).toBeNull();
  });

  it('gives first-party user and guest tokens the account scope, app tokens not', async () => {
    const { core } = makeCore();
    expect((await core.tokens.issue({ userId: 1 })).info.scopes).toContain(ACCOUNT_SCOPE);
    expect((await core.tokens.issue({ userId: 1, kind: 'guest' })).info.scopes).toContain(ACCOUNT_SCOPE);
    expect((await core.tokens.issue({ userId: null })).info.scopes).not.toContain(ACCOUNT_SCOPE);
    expect((await core.tokens.issue({ userId: 1, scopes: ['read'] })).info.scopes).toEqual(['read']);
  });

  it('extends: new absolute and idle lifetimes from now, never past the ceiling (createdAt + maxLifetime)', async () => {
    const { core, clock } = makeCore({ tokens: { absoluteTtl: DAY, idleTtl: DAY, maxTtl: 40 * DAY } });
    const { token, info } = await core.tokens.issue({ userId: 1 });
    clock.advance(20 * HOUR);
    const e = await core.tokens.extend(info.id, { absoluteTtl: 30 * DAY, idleTtl: 30 * DAY });
    expect(e.expiresAt).toBe(clock() + 30 * DAY);
    expect(e.idleExpiresAt).toBe(clock() + 30 * DAY);
    clock.advance(10 * DAY);
    expect(await code(core.tokens.authenticate(token))).toBe('ok');
    // the default ceiling is createdAt + maxTtl: extending "from now" stops there
    const capped = await core.tokens.extend(info.id, { absoluteTtl: 400 * DAY });
    expect(capped.expiresAt).toBe(info.createdAt + 40 * DAY);
    expect(capped.maxExpiresAt).toBe(info.createdAt + 40 * DAY);
    const short = await core.tokens.issue({ userId: 1, maxLifetime: 2 * DAY });
    expect(short.info.maxExpiresAt).toBe(clock() + 2 * DAY);
    expect((await core.tokens.extend(short.info.id, { absoluteTtl: 30 * DAY })).expiresAt).toBe(short.info.createdAt + 2 * DAY);
    // a ceiling below the absolute lifetime is raised to it (the token lives what it was issued for)
    const low = await core.tokens.issue({ userId: 1, absoluteTtl: 5 * DAY, maxLifetime: DAY });
    expect(low.info.maxExpiresAt).toBe(low.info.expiresAt);
    expect(await code(core.tokens.extend('123', {}))).toBe('token_invalid');
    expect(await code(core.tokens.extend('not-an-id', {}))).toBe('token_invalid');
  });

  it('upgrades an app token to a user and downgrades it, keeping the same token string', async () => {
    const { core } = makeCore();
    const { token, info } = await core.tokens.issue({ userId: null, appId: 'a' });
    const up = await core.tokens.upgrade(info.id, 5);
    expect(up).toMatchObject({ userId: 5, kind: 'user', scopes: ['read', 'write', 'account'] });
    expect((await core.tokens.authenticate(token)).userId).toBe(5);
    expect((await core.tokens.list(5)).map((t) => t.id)).toEqual([info.id]);
    const down = await core.tokens.downgrade(info.id);
    expect(down).toMatchObject({ userId: null, kind: 'app', scopes: ['read'] });
    expect(await core.tokens.list(5)).toEqual([]);
    expect((await core.tokens.authenticate(token)).kind).toBe('app');
  });

  it('revokes one token by id, by token (logout) and all but some', async () => {
    const { core, clock } = makeCore();
    const a = await core.tokens.issue({ userId: 1 });
    clock.advance(1);
    const b = await core.tokens.issue({ userId: 1 });
    clock.advance(1);
    const c = await core.tokens.issue({ userId: 1 });
    const other = await core.tokens.issue({ userId: 2 });
    expect((await core.tokens.list(1)).map((t) => t.id)).toEqual([a.info.id, b.info.id, c.info.id]);
    expect(await core.tokens.revoke(a.info.id)).toBe(true);
    expect(await core.tokens.revoke(a.info.id)).toBe(false);
    expect(await code(core.tokens.authenticate(a.token))).toBe('token_invalid');
    // An id alone does not log anyone out: revokeToken wants the secret.
    expect(await code(core.tokens.revokeToken(`${b.info.id}.${'x'.repeat(43)}`))).toBe('token_invalid');
    expect((await core.tokens.revokeToken(b.token)).id).toBe(b.info.id);
    const d = await core.tokens.issue({ userId: 1 });
    expect(await core.tokens.revokeAll(1, { except: [d.info.id] })).toBe(1);
    expect((await core.tokens.list(1)).map((t) => t.id)).toEqual([d.info.id]);
    expect(await code(core.tokens.authenticate(other.token))).toBe('ok');
    expect(await core.tokens.get(d.info.id)).toMatchObject({ id: d.info.id, userId: 1 });
    expect(await core.tokens.get('nope')).toBeNull();
  });

  it('fails closed with store_unavailable when the store throws', async () => {
    const broken = new Proxy({} as AuthStore['tokens'], {
      get: () => () => Promise.reject(new Error('ECONNREFUSED 10.0.0.1:6379')),
    });
    const { core, store } = makeCore();
    const good = await core.tokens.issue({ userId: 1 });
    // The service as createAuthCore builds it, on a store whose token part is down.
    const svc = makeCore({ store: { ...store, name: store.name, close: () => store.close(), tokens: broken } }).core.tokens;
    const err = await svc.authenticate(good.token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('store_unavailable');
    expect((err as AuthError).message).not.toContain('ECONNREFUSED');
    expect(await code(svc.issue({ userId: 1 }))).toBe('store_unavailable');
    expect(await code(svc.list(1))).toBe('store_unavailable');
  });

  it('emits events without any secret in them', async () => {
    const { core, events, clock } = makeCore();
    const { token, info } = await core.tokens.issue({ userId: 1 });
    await core.tokens.authenticate(token);
    await core.tokens.authenticate(`${info.id}.${'B'.repeat(43)}`).catch(() => undefined);
    clock.advance(MINUTE);
    await core.tokens.revokeToken(token);
    expect(events.map((e) => e.type)).toEqual(['token.issued', 'token.authenticated', 'token.rejected', 'token.revoked']);
    const secret = parseToken(token)!.secret;
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(hashSecret(secret));
  });

  it('keeps authenticating when an event listener throws', async () => {
    const { core } = makeCore();
    core.events.on('token.authenticated', () => {
      throw new Error('listener bug');
    });
    const { token } = await core.tokens.issue({ userId: 1 });
    expect(await code(core.tokens.authenticate(token))).toBe('ok');
  });
});
