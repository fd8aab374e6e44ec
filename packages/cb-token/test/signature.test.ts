import { sign, stringToSign, verifySignature } from '@authmount/cb-token';

// Test vectors produced by the real SDK v3 (protocol notes §A1; secret SECRET, application_id 42, auth_key AKEY).
const TS = 1795348686;
const VECTORS = [
  {
    name: 'user login',
    params: { application_id: 42, auth_key: 'AKEY', nonce: 2289, timestamp: TS, user: { login: 'john', password: 'pw' } },
    string: 'application_id=42&auth_key=AKEY&nonce=2289&timestamp=1795348686&user[login]=john&user[password]=pw',
    signature: 'ec441ade3ff0cd04b57f09d0cc7d685951b00596',
  },
  {
    name: 'app session',
    params: { application_id: 42, auth_key: 'AKEY', nonce: 9791, timestamp: TS },
    string: 'application_id=42&auth_key=AKEY&nonce=9791&timestamp=1795348686',
    signature: 'cd14c9ae289f1a799b9b7df31179b1d5b1f1227f',
  },
  {
    name: 'guest',
    params: { application_id: 42, auth_key: 'AKEY', nonce: 1926, timestamp: TS, user: { guest: '1', full_name: 'G' } },
    string: 'application_id=42&auth_key=AKEY&nonce=1926&timestamp=1795348686&user[full_name]=G&user[guest]=1',
    signature: '644ecedc1bc43e4f3b0249a29a53018232c56837',
  },
  {
    name: 'email',
    params: { application_id: 42, auth_key: 'AKEY', nonce: 6523, timestamp: TS, user: { email: 'a@b.c', password: 'pw' } },
    string: 'application_id=42&auth_key=AKEY&nonce=6523&timestamp=1795348686&user[email]=a@b.c&user[password]=pw',
    signature: 'e48020a834ee7d322c86beb6c91d33c200bf101d',
  },
  {
    name: 'facebook',
    params: { application_id: 42, auth_key: 'AKEY', nonce: 9994, timestamp: TS, provider: 'facebook', keys: { token: 'FBT' } },
    string: 'application_id=42&auth_key=AKEY&keys[token]=FBT&nonce=9994&provider=facebook&timestamp=1795348686',
    signature: 'd6d033f901bda8e0f8ac84f283aed7a9f0e65ea1',
  },
];

describe('CB signature', () => {
  it.each(VECTORS)('$name: builds the string v3 signs and its HMAC-SHA1', (v) => {
    expect(stringToSign(v.params)).toBe(v.string);
    expect(sign(v.string, 'SECRET')).toBe(v.signature);
    expect(verifySignature({ ...v.params, signature: v.signature }, v.signature, 'SECRET', ['sha1'])).toBe(true);
  });

  it('numbers and numeric strings sign the same (Flutter sends every value as a string)', () => {
    const v = VECTORS[0];
    const asStrings = { ...v.params, application_id: '42', nonce: '2289', timestamp: String(TS) };
    expect(verifySignature(asStrings, v.signature, 'SECRET', ['sha1'])).toBe(true);
  });

  it('accepts an uppercase hex signature', () => {
    const v = VECTORS[1];
    expect(verifySignature(v.params, v.signature.toUpperCase(), 'SECRET', ['sha1'])).toBe(true);
  });

  it('refuses a wrong secret, a changed parameter, an added parameter and garbage', () => {
    const v = VECTORS[0];
    expect(verifySignature(v.params, v.signature, 'OTHER', ['sha1'])).toBe(false);
    expect(verifySignature({ ...v.params, user: { login: 'john', password: 'pw2' } }, v.signature, 'SECRET', ['sha1'])).toBe(false);
    expect(verifySignature({ ...v.params, extra: 1 }, v.signature, 'SECRET', ['sha1'])).toBe(false);
    for (const bad of [undefined, null, 42, '', 'zz', v.signature.slice(1), `${v.signature}00`, { a: 1 }]) {
      expect(verifySignature(v.params, bad, 'SECRET', ['sha1'])).toBe(false);
    }
  });

  it('the user fields must be signed too (signing only the app fields fails, as on the real server)', () => {
    const v = VECTORS[1];
    const withUser = { ...v.params, user: { login: 'john', password: 'pw' } };
    expect(verifySignature(withUser, v.signature, 'SECRET', ['sha1'])).toBe(false);
  });

  it('SHA-256 signatures only when the application allows them', () => {
    const v = VECTORS[1];
    const s256 = sign(v.string, 'SECRET', 'sha256');
    expect(s256).toHaveLength(64);
    expect(verifySignature(v.params, s256, 'SECRET', ['sha1'])).toBe(false);
    expect(verifySignature(v.params, s256, 'SECRET', ['sha1', 'sha256'])).toBe(true);
    expect(verifySignature(v.params, v.signature, 'SECRET', ['sha256'])).toBe(false);
  });
});
