import { createHash } from 'node:crypto';
import {
  formatToken,
  hashSecret,
  MAX_TOKEN_LENGTH,
  newSecret,
  newTokenId,
  parseToken,
  randomCode,
  SECRET_BYTES,
  SLOT_TAGS,
  slotTagOfTokenId,
  slotTagOfUser,
  constantTimeEqual,
  sha256,
  sha256WithHashObject,
} from '../src';

/** The unit tests of the wire format and the comparisons every store's authenticate relies on. */
describe('token format', () => {
  const SECRET = 'A'.repeat(43);

  describe('constantTimeEqual (hash comparison)', () => {
    const h = hashSecret('the secret');

    it('is true for the same digest, also as a separate string', () => {
      expect(constantTimeEqual(h, h)).toBe(true);
      expect(constantTimeEqual(h, hashSecret('the secret'))).toBe(true);
      expect(constantTimeEqual(h, (' ' + h).slice(1))).toBe(true);
    });

    it('compares every character: a difference in the first, a middle or the last one is a mismatch', () => {
      expect(h).toHaveLength(43);
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      for (const i of [0, 1, 7, 8, 9, 21, 31, 32, 41, 42]) {
        expect(constantTimeEqual(h, flip(h, i))).toBe(false);
        expect(constantTimeEqual(flip(h, i), h)).toBe(false);
      }
    });

    it('is false for a prefix, an extension or a different length, and for empty against non-empty', () => {
      expect(constantTimeEqual(h, h.slice(0, 42))).toBe(false);
      expect(constantTimeEqual(h.slice(0, 42), h)).toBe(false);
      expect(constantTimeEqual(h, h + 'A')).toBe(false);
      expect(constantTimeEqual(h, '')).toBe(false);
      expect(constantTimeEqual('', h)).toBe(false);
      expect(constantTimeEqual('', '')).toBe(true); // equal inputs; stores never hold an empty hash
    });

    it('compares bytes, not code units: equal-length strings of different byte lengths do not throw', () => {
      expect(constantTimeEqual('é'.repeat(43), 'e'.repeat(43))).toBe(false);
      expect(constantTimeEqual('e'.repeat(43), 'é'.repeat(43))).toBe(false);
    });
  });

  describe('parseToken', () => {
    it('accepts `<id>.<43 base64url chars>` and splits it', () => {
      expect(parseToken(`1.${SECRET}`)).toEqual({ id: '1', secret: SECRET });
      const s = 'aZ09-_' + 'x'.repeat(37);
      expect(parseToken(`9007199254740991.${s}`)).toEqual({ id: '9007199254740991', secret: s });
    });

    it('refuses anything else: type, leading zero, sign, id too long or past 2^53, secret length and alphabet', () => {
      for (const bad of [
        undefined,
        null,
        42,
        { id: '1' },
        '',
        SECRET,
        `.${SECRET}`,
        `0.${SECRET}`,
        `01.${SECRET}`,
        `-1.${SECRET}`,
        `+1.${SECRET}`,
        `1.5.${SECRET}`,
        `1 .${SECRET}`,
        ` 1.${SECRET}`,
        `1.${SECRET} `,
        `1.${SECRET}\n`,
        `1.${SECRET.slice(1)}`,
        `1.${SECRET}A`,
        `1.${SECRET.slice(1)}=`,
        `1.${SECRET.slice(1)}+`,
        `1.${SECRET.slice(1)}/`,
        `1.${SECRET.slice(1)}.`,
        `9007199254740992.${SECRET}`, // 2^53: 16 digits but not a safe integer
        `12345678901234567.${SECRET}`, // 17 digits
        `1:${SECRET}`,
      ]) {
        expect(parseToken(bad)).toBeNull();
      }
    });

    it('refuses a string over MAX_TOKEN_LENGTH; the longest valid token (60 chars) fits', () => {
      expect(MAX_TOKEN_LENGTH).toBe(64);
      expect(parseToken('1'.repeat(16) + '.' + SECRET)).toEqual({ id: '1'.repeat(16), secret: SECRET });
      expect(parseToken('x'.repeat(65))).toBeNull();
      expect(parseToken(`1.${SECRET}`.padEnd(65, ' '))).toBeNull();
    });

    it('round-trips formatToken', () => {
      const id = newTokenId(7);
      const secret = newSecret();
      expect(formatToken(id, secret)).toBe(`${id}.${secret}`);
      expect(parseToken(formatToken(id, secret))).toEqual({ id, secret });
    });
  });

  describe('ids and slot tags', () => {
    it('puts the user’s slot tag in every id of that user, and ids stay safe integers > 0', () => {
      expect(SLOT_TAGS).toBe(1024);
      for (const user of [0, 1, 1023, 1024, 1025, 123456]) {
        for (let i = 0; i < 20; i++) {
          const id = newTokenId(user);
          expect(id).toMatch(/^[1-9][0-9]{0,15}$/);
          expect(Number.isSafeInteger(Number(id))).toBe(true);
          expect(slotTagOfTokenId(id)).toBe(user % 1024);
          expect(slotTagOfTokenId(id)).toBe(slotTagOfUser(user));
        }
      }
    });

    it('decodes a tag as floor(id / 2^43)', () => {
      expect(slotTagOfTokenId('1')).toBe(0);
      expect(slotTagOfTokenId(String(2 ** 43 - 1))).toBe(0);
      expect(slotTagOfTokenId(String(2 ** 43))).toBe(1);
      expect(slotTagOfTokenId(String(1023 * 2 ** 43 + 5))).toBe(1023);
      expect(slotTagOfUser(2048 + 3)).toBe(3);
    });

    it('gives a token without a user a random tag among all 1024', () => {
      const tags = new Set(Array.from({ length: 400 }, () => slotTagOfTokenId(newTokenId(null))));
      expect(Math.min(...tags)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...tags)).toBeLessThan(1024);
      expect(tags.size).toBeGreaterThan(100); // not one fixed tag (400 draws of 1024: ~330 distinct)
    });
  });

  describe('secrets, hashes and codes', () => {
    it('makes 32-byte base64url secrets, all distinct', () => {
      expect(SECRET_BYTES).toBe(32);
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const s = newSecret();
        expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(Buffer.from(s, 'base64url')).toHaveLength(32);
        seen.add(s);
      }
      expect(seen.size).toBe(50);
    });

    it('hashes a secret to base64url SHA-256 (known vectors)', () => {
      expect(hashSecret('')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
      expect(hashSecret('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    });

    it('sha256(…, hex) is lowercase hex SHA-256 (known vectors)', () => {
      expect(sha256('', 'hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(sha256('abc', 'hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    });

    it('randomCode: `bytes` of entropy as base64url, 32 by default, all distinct', () => {
      expect(Buffer.from(randomCode(), 'base64url')).toHaveLength(32);
      expect(randomCode()).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(randomCode(16), 'base64url')).toHaveLength(16);
      expect(randomCode(16)).toHaveLength(22);
      expect(new Set(Array.from({ length: 50 }, () => randomCode())).size).toBe(50);
    });
  });
});

describe('hashSecret and sha256', () => {
  it('is base64url SHA-256, the same through the one-shot and the Hash-object forms', () => {
    for (let i = 0; i < 20; i++) {
      const s = newSecret();
      const want = createHash('sha256').update(s).digest('base64url');
      expect(hashSecret(s)).toBe(want);
      expect(sha256(s, 'base64url')).toBe(want);
      expect(sha256WithHashObject(s, 'base64url')).toBe(want);
    }
  });

  it('hashes a non-ASCII string as its UTF-8 bytes in both forms, in every encoding', () => {
    const s = 'pässwörd-€';
    const bytes = Buffer.from(s, 'utf8');
    expect(hashSecret(s)).toBe(createHash('sha256').update(bytes).digest('base64url'));
    for (const enc of ['hex', 'base64', 'base64url'] as const) {
      expect(sha256(s, enc)).toBe(createHash('sha256').update(bytes).digest(enc));
      expect(sha256WithHashObject(s, enc)).toBe(sha256(s, enc));
    }
  });
});

describe('constantTimeEqual', () => {
  it('is true only for equal strings', () => {
    const h = hashSecret(newSecret());
    expect(constantTimeEqual(h, `${h}`)).toBe(true);
    expect(constantTimeEqual(h, h.slice(0, -1))).toBe(false);
    expect(constantTimeEqual(h, `${h.slice(0, -1)}${h.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(constantTimeEqual(h, hashSecret(newSecret()))).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('compares byte arrays, and strings as their UTF-8 bytes', () => {
    expect(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 2, 3]))).toBe(false);
    expect(constantTimeEqual('é', Buffer.from('é', 'utf8'))).toBe(true);
    // Equal UTF-16 lengths, different byte lengths: unequal, never a thrown RangeError.
    expect(constantTimeEqual('é', 'e')).toBe(false);
  });
});
