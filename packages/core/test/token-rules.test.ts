import { AuthError, accepts, checkRequirements, isLive, isTokenId, issuerAccepted, slideGranularity } from '../src';

// The small rules every store and guard shares (store.ts, token-rules.ts), at their edges.

function refusal(f: () => void): AuthError {
  try {
    f();
  } catch (e) {
    if (e instanceof AuthError) return e;
    throw e;
  }
  throw new Error('expected an AuthError');
}

describe('token rules', () => {
  it('isLive: live strictly before both deadlines', () => {
    expect(isLive({ expiresAt: 10, idleExpiresAt: 20 }, 9)).toBe(true);
    expect(isLive({ expiresAt: 10, idleExpiresAt: 20 }, 10)).toBe(false);
    expect(isLive({ expiresAt: 20, idleExpiresAt: 10 }, 10)).toBe(false);
  });

  it('slideGranularity: 1 % of the idle window, whole milliseconds, at most one second', () => {
    expect(slideGranularity(86_400_000)).toBe(1000);
    expect(slideGranularity(100_000)).toBe(1000);
    expect(slideGranularity(50_000)).toBe(500);
    expect(slideGranularity(12_345)).toBe(123);
    expect(slideGranularity(99)).toBe(0);
  });

  it('accepts: no filter passes everything; each list present must match', () => {
    const r = { issuer: 'pcloud', kind: 'user' as const, scopes: ['read', 'write'] };
    expect(accepts(r, undefined)).toBe(true);
    expect(accepts(r, {})).toBe(true);
    expect(accepts(r, { issuers: ['pcloud'], kinds: ['user', 'app'], scopes: ['write', 'read'] })).toBe(true);
    expect(accepts(r, { issuers: ['authmount'] })).toBe(false);
    expect(accepts(r, { kinds: ['app'] })).toBe(false);
    expect(accepts(r, { scopes: ['read', 'admin'] })).toBe(false);
  });

  it('isTokenId: 1 to 16 digits, no leading zero, a safe integer, nothing around it', () => {
    for (const id of ['1', '9', '1234567890123456', '9007199254740991']) expect([id, isTokenId(id)]).toEqual([id, true]);
    for (const id of ['', '0', '01', '12345678901234567', '9007199254740993', ' 1', '1 ', 'x1', '1x', '1.5', 1, null]) {
      expect([id, isTokenId(id)]).toEqual([id, false]);
    }
  });

  it('issuerAccepted: no list accepts every issuer', () => {
    expect(issuerAccepted({ issuer: 'x' })).toBe(true);
    expect(issuerAccepted({ issuer: 'x' }, { kinds: ['user'] })).toBe(true);
    expect(issuerAccepted({ issuer: 'x' }, { issuers: ['y'] })).toBe(false);
  });

  it('checkRequirements: names the kind refused and the scope missing', () => {
    const t = { kind: 'app' as const, scopes: ['read'] };
    expect(() => checkRequirements(t)).not.toThrow();
    expect(() => checkRequirements(t, { kinds: ['app'], scopes: ['read'] })).not.toThrow();
    const kind = refusal(() => checkRequirements(t, { kinds: ['user', 'guest'] }));
    expect([kind.code, kind.details]).toEqual(['forbidden_kind', { kind: 'app', allowed: ['user', 'guest'] }]);
    const scope = refusal(() => checkRequirements(t, { scopes: ['read', 'write', 'admin'] }));
    expect([scope.code, scope.details]).toEqual(['forbidden_scope', { missing: 'write' }]);
  });
});
