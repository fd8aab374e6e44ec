import { createHmac } from 'node:crypto';
import request from 'supertest';
import { assertCanonical, stringToSign, verifySignature } from '@authmount/cb-token';
import { testStores } from '../../../test-support/stores';
import { APP, OPEN_APP, PASSWORD, harness, signedBody, v3Sign, type Harness } from './helpers';

const DEPTH = 30_000;
const deepArray = (depth: number) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) as unknown;
const deepObject = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;

/** Raw JSON text, so the body reaches the server exactly as written (a top-level "user[login]" key, ...). */
const rawJson = (o: Record<string, unknown>) => JSON.stringify(o);

describe('canonical CB signing (unit)', () => {
  const problem = (params: Record<string, unknown>, signed = true) => {
    try {
      assertCanonical(params, signed);
      return null;
    } catch (e) {
      return (e as { details?: { field?: string }; message: string }).details?.field ?? 'thrown';
    }
  };

  it('accepts the shapes the SDKs send: scalars, one level under user, keys and firebase_*', () => {
    expect(problem({ application_id: 42, auth_key: 'AKEY', nonce: 1, timestamp: 2, signature: 'ab' })).toBeNull();
    expect(problem({ user: { login: 'john', password: 'p&ss', guest: true, full_name: null } })).toBeNull();
    expect(problem({ provider: 'facebook', keys: { token: 'a=b=', secret: 's' }, scope: 'x' })).toBeNull();
    expect(problem({ provider: 'firebase_phone', firebase_phone: { project_id: 'p', access_token: 't' } })).toBeNull();
  });

  it('refuses other nesting, arrays, and names holding [ ] = &', () => {
    expect(problem({ 'user[login]': 'john' })).toBe('base');
    expect(problem({ 'a&b': '1' })).toBe('base');
    expect(problem({ 'a=b': '1' })).toBe('base');
    expect(problem({ '': '1' })).toBe('base');
    expect(problem({ user: { 'login]': 'x' } })).toBe('base');
    expect(problem({ user: { login: { first: 'j' } } })).toBe('user[login]');
    expect(problem({ user: { login: ['j'] } })).toBe('user[login]');
    expect(problem({ custom: { a: 1 } })).toBe('custom');
    expect(problem({ nonce: [1] })).toBe('nonce');
    expect(problem({ user: ['a'] })).toBe('user');
    expect(problem({ x: deepArray(DEPTH) })).toBe('x');
    expect(problem({ user: { a: deepObject(DEPTH) } })).toBe('user[a]');
  });

  it('signed: a value with & followed by = is refused; & or = alone is fine; unsigned bodies are not concerned', () => {
    expect(problem({ user: { login: 'john&user[password]=pw' } })).toBe('user[login]');
    expect(problem({ a: '1&b=2' })).toBe('a');
    expect(problem({ a: 'x=1&y' })).toBeNull();
    expect(problem({ user: { login: 'john&user[password]=pw' } }, false)).toBeNull();
  });

  it('nests only under user, keys and firebase_* exactly, and never echoes an odd name as the field', () => {
    for (const parent of ['xuser', 'userx', 'mykeys', 'keys2', 'firebase_', 'firebase_Phone', 'xfirebase_phone']) {
      expect(problem({ [parent]: { a: '1' } })).toBe(parent);
    }
    expect(problem({ 'a b': ['1'] })).toBe('base'); // a name with a space is not shown back
    expect(problem({ 'b.': ['1'] })).toBe('base');
    expect(problem({ ['n'.repeat(80)]: ['1'] })).toBe('n'.repeat(80));
    expect(problem({ ['n'.repeat(81)]: ['1'] })).toBe('base');
  });

  it('only finite numbers, strings, booleans and null are values; undefined and NaN are refused, also under user', () => {
    for (const v of [NaN, Infinity, -Infinity, undefined]) {
      expect(problem({ a: v })).toBe('a');
      expect(problem({ user: v })).toBe('user');
      expect(problem({ user: { login: v } })).toBe('user[login]');
    }
  });

  it('signs null as "null", at the top level and nested', () => {
    expect(stringToSign({ application_id: 42, x: null, user: { full_name: null } })).toBe('application_id=42&user[full_name]=null&x=null');
  });

  it('only an unsignable body means "no valid signature": any other failure propagates', () => {
    const failing = new Proxy({} as Record<string, unknown>, {
      ownKeys: () => {
        throw new Error('a bug, not a bad signature');
      },
    });
    expect(() => verifySignature(failing, 'a'.repeat(40), 'SECRET', ['sha1'])).toThrow('a bug, not a bad signature');
  });

  it('stringToSign refuses what it cannot sign unambiguously, and verifySignature says false (never throws)', () => {
    const nested = { application_id: 42, user: { login: 'john', password: 'pw' } };
    const flat = { application_id: 42, 'user[login]': 'john', 'user[password]': 'pw' };
    const sig = createHmac('sha1', 'SECRET').update(stringToSign(nested)).digest('hex');
    expect(() => stringToSign(flat)).toThrow(/cannot contain/);
    expect(verifySignature(flat, sig, 'SECRET', ['sha1'])).toBe(false);
    expect(verifySignature({ a: deepArray(DEPTH) }, sig, 'SECRET', ['sha1'])).toBe(false);
    const split = { application_id: 42, user: { login: 'john&user[password]=pw' } };
    expect(verifySignature(split, sig, 'SECRET', ['sha1'])).toBe(false);
    expect(verifySignature(nested, sig, 'SECRET', ['sha1'])).toBe(true);
  });
});

describe.each(testStores())('canonical CB signing over HTTP on the $name store', (ts) => {
  let h: Harness;
  beforeEach(() => {
    // A large body limit, so the deep bodies reach the adapter instead of the size limit.
    h = harness(ts, { bodyLimit: '1mb', apps: [{ ...APP, autoCreateUsers: true }, OPEN_APP] });
  });
  afterEach(() => h.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    request(h.app)
      .post(path)
      .set({ 'Content-Type': 'application/json', ...headers })
      .send(body);

  it('a body nested 30,000 levels deep answers 422 in CB’s shape on every route, never 5xx', async () => {
    const app = await request(h.app).post('/cb/session.json').send(signedBody(h.clock)).expect(201);
    const token = { 'CB-Token': app.body.session.token as string };
    const arr = `${'['.repeat(DEPTH)}1${']'.repeat(DEPTH)}`;
    const obj = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
    const signed = (extra: string) => {
      const b = signedBody(h.clock);
      return `{"application_id":42,"auth_key":"AKEY","nonce":${String(b.nonce)},"timestamp":${String(b.timestamp)},"signature":"${String(b.signature)}",${extra}}`;
    };
    const cases: Array<[string, string, Record<string, string>]> = [
      ['/cb/session.json', signed(`"x":${arr}`), {}],
      ['/cb/session.json', signed(`"user":{"login":${arr},"password":"p"}`), {}],
      ['/cb/session.json', signed(`"x":${obj}`), {}],
      ['/cb/session.json', `{"application_id":7,"auth_key":"OPENKEY","user":{"full_name":${arr},"guest":"1"}}`, {}],
      ['/cb/session.json', arr, {}],
      ['/cb/login.json', `{"login":${arr},"password":"p"}`, token],
      ['/cb/login.json', `{"provider":"facebook","keys":{"token":${obj}}}`, token],
      ['/cb/users.json', `{"user":{"login":"deep","password":"${PASSWORD}","tag_list":${arr}}}`, { 'CB-AuthKey': 'AKEY' }],
      ['/cb/users.json', `{"user":{"login":"deep","password":"${PASSWORD}","custom_data":${obj}}}`, { 'CB-AuthKey': 'AKEY' }],
    ];
    for (const [path, body, headers] of cases) {
      const res = await post(path, body, headers);
      expect({ path, body: body.slice(0, 60), status: res.status, type: res.headers['content-type'], reply: res.body }).toEqual({
        path,
        body: body.slice(0, 60),
        status: 422,
        type: expect.stringMatching(/^application\/json/),
        reply: { errors: expect.anything() },
      });
    }
    // Deep nesting in a form body: the parser's own depth limit answers 400 in CB's shape; within it, 422.
    const form = (fields: string) => request(h.app).post('/cb/session').type('form').send(`application_id=7&auth_key=OPENKEY&${fields}`);
    const tooDeep = await form(`user${'[a]'.repeat(DEPTH / 10)}=1`);
    expect([tooDeep.status, tooDeep.body]).toEqual([400, { errors: { base: ['Request body could not be parsed'] } }]);
    const nested = await form(`user${'[a]'.repeat(10)}=1`);
    expect([nested.status, nested.body]).toEqual([422, { errors: { 'user[a]': ['is invalid'] } }]);
  });

  it('a top-level "user[login]" key does not pass for {"user":{"login":…}}, even with the signature of the latter', async () => {
    await h.auth.accounts.register({ login: 'john', password: PASSWORD });
    const nested = signedBody(h.clock, { user: { login: 'john', password: PASSWORD } });
    const flat: Record<string, unknown> = { ...nested, 'user[login]': 'john', 'user[password]': PASSWORD };
    delete flat.user;
    expect(v3Sign(flat)).toBe(nested.signature); // the same string, so the same signature
    const res = await post('/cb/session.json', rawJson(flat));
    expect([res.status, res.body]).toEqual([422, { errors: { base: ['Parameter names cannot contain [, ], = or &'] } }]);
    // The real one still works (its nonce was not used up by the refused copy).
    expect((await post('/cb/session.json', rawJson(nested))).status).toBe(201);
  });

  it('& and = inside names, & followed by = inside signed values, and nested objects: 422 before any signature check', async () => {
    const bodies: Array<[Record<string, unknown>, unknown]> = [
      [{ 'a&b': '1' }, { errors: { base: ['Parameter names cannot contain [, ], = or &'] } }],
      [{ 'a=b': '1' }, { errors: { base: ['Parameter names cannot contain [, ], = or &'] } }],
      [{ user: { 'login=x': 'j', password: 'p' } }, { errors: { base: ['Parameter names cannot contain [, ], = or &'] } }],
      [
        { user: { login: 'john&user[password]=pw' } },
        { errors: { 'user[login]': ['cannot contain & followed by = in a signed request'] } },
      ],
      [{ user: { login: { first: 'j' }, password: 'p' } }, { errors: { 'user[login]': ['is invalid'] } }],
      [{ user: { login: ['j'], password: 'p' } }, { errors: { 'user[login]': ['is invalid'] } }],
      [{ custom: { a: 1 } }, { errors: { custom: ['is invalid'] } }],
      [{ nonce_list: [1, 2] }, { errors: { nonce_list: ['is invalid'] } }],
    ];
    for (const [extra, body] of bodies) {
      // Signed with the string the v3 algorithm gives, [object Object] and all: refused before it is looked at.
      const res = await post('/cb/session.json', rawJson(signedBody(h.clock, extra)));
      expect([extra, res.status, res.body]).toEqual([extra, 422, body]);
    }
    // Wrong application too: the shape is checked first.
    const odd = await post('/cb/session.json', rawJson({ application_id: 999, auth_key: 'nope', 'user[login]': 'x' }));
    expect(odd.status).toBe(422);
  });

  it('& or = alone in a signed value is fine (passwords like p&ss or a=b); unsigned requests may hold &…=', async () => {
    for (const password of [`${PASSWORD}&more`, `${PASSWORD}=more`, `${PASSWORD}=x&y`]) {
      const login = `u${password.length}${password.includes('&') ? 'a' : 'b'}${password.endsWith('y') ? 'y' : ''}`;
      const res = await post('/cb/session.json', rawJson(signedBody(h.clock, { user: { login, password } })));
      expect([password, res.status]).toEqual([password, 201]);
      expect(res.body.session.user.login).toBe(login);
    }
    await h.auth.accounts.register({ login: 'amp', password: `${PASSWORD}&x=1` });
    const unsigned = await post(
      '/cb/session.json',
      rawJson({ application_id: 7, auth_key: 'OPENKEY', user: { login: 'amp', password: `${PASSWORD}&x=1` } }),
    );
    expect(unsigned.status).toBe(201);
  });
});
