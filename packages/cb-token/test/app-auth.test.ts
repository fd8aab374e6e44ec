import request from 'supertest';
import { SECOND } from '@authmount/core';
import type { CbApp } from '@authmount/cb-token';
import { memoryStore } from '@authmount/store-memory';
import type { TestStore } from '../../../test-support/stores';
import { APP, APP_SECRET, OPEN_APP, harness, signedBody, v3Sign, type Harness } from './helpers';

// How POST /session authenticates the application, at the edges of each parameter: the bounds and shapes
// of timestamp, nonce, application_id and auth_key, what counts as "signed", an application without a
// usable secret, and how long a signed request's nonce is remembered. The application check runs before
// any store call but the nonce's, so one store (memory) is enough here; session.test.ts runs every store.

const WINDOW = 3600 * SECOND;
const memoryStoreForTests: TestStore = { name: 'memory', make: (clock) => memoryStore({ clock, sweepIntervalMs: 0 }) };

/** A registry, as an app's own database would answer (not checked like the `apps` array). */
function registry(apps: CbApp[]) {
  return {
    findById: (id: string) => apps.find((a) => String(a.applicationId) === id) ?? null,
    findByAuthKey: (key: string) => apps.find((a) => a.authKey === key) ?? null,
  };
}

describe('POST /session: the application and its request', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(memoryStoreForTests);
  });
  afterEach(() => h.close());

  const post = (body: Record<string, unknown>) => request(h.app).post('/cb/session.json').send(body);
  const resign = (body: Record<string, unknown>) => {
    const { signature: _drop, ...rest } = body;
    return { ...rest, signature: v3Sign(rest) };
  };

  it('takes the timestamp as 1 to 12 digits and nothing else; more than 16 characters is too long', async () => {
    const body = signedBody(h.clock);
    const ts = String(body.timestamp);
    for (const bad of [`${ts}x`, `x${ts}`, `-${ts}`, `${ts}.5`, '1234567890123']) {
      expect([bad, (await post(resign({ ...body, timestamp: bad })).expect(422)).body]).toEqual([
        bad,
        { errors: { timestamp: ['invalid timestamp'] } },
      ]);
    }
    expect((await post(resign({ ...body, timestamp: '1'.repeat(17) })).expect(422)).body).toEqual({
      errors: { timestamp: ['is too long'] },
    });
    await post(resign({ ...body, timestamp: ts })).expect(201);
  });

  it('echoes a numeric nonce of up to 15 digits as a number, anything else as the string; 65 characters are too long', async () => {
    const echo = async (nonce: string) => (await post(signedBody(h.clock, { nonce })).expect(201)).body.session.nonce;
    expect(await echo('123')).toBe(123);
    expect(await echo('123456789012345')).toBe(123456789012345);
    expect(await echo('1234567890123456')).toBe('1234567890123456');
    expect(await echo('a1')).toBe('a1');
    expect(await echo('1a')).toBe('1a');
    expect(await echo('n'.repeat(64))).toBe('n'.repeat(64));
    expect((await post(signedBody(h.clock, { nonce: 'n'.repeat(65) })).expect(422)).body).toEqual({ errors: { nonce: ['is too long'] } });
  });

  it('bounds application_id at 64 characters and auth_key at 256, before any lookup', async () => {
    const lookups: string[] = [];
    await h.close();
    h = harness(memoryStoreForTests, {
      apps: {
        findById: (id) => (lookups.push(id), id === '42' ? APP : null),
        findByAuthKey: () => null,
      },
    });
    expect((await post(signedBody(h.clock, { application_id: '4'.repeat(65) })).expect(422)).body).toEqual({
      errors: { application_id: ['is too long'] },
    });
    expect((await post(signedBody(h.clock, { auth_key: 'k'.repeat(257) })).expect(422)).body).toEqual({
      errors: { auth_key: ['is too long'] },
    });
    expect(lookups).toEqual([]);
    expect((await post(signedBody(h.clock, { application_id: '4'.repeat(64) })).expect(401)).body).toEqual({
      errors: ['Unknown application or wrong auth_key'],
    });
  });

  it('an application that allows unsigned requests: a null or empty signature is no signature', async () => {
    const open = { application_id: OPEN_APP.applicationId, auth_key: OPEN_APP.authKey };
    await post({ ...open, signature: null }).expect(201);
    await post({ ...open, signature: '' }).expect(201);
    await post(open).expect(201);
    expect((await post({ ...open, signature: 'abc' }).expect(422)).body).toEqual({ errors: ['Unexpected signature'] });
    // The signed application: no signature at all is a blank field.
    expect((await post({ application_id: APP.applicationId, auth_key: APP.authKey, signature: '' }).expect(422)).body).toEqual({
      errors: { signature: ['cannot be blank'] },
    });
  });

  it('an application whose secret is empty cannot sign: a request signed with the empty key is refused', async () => {
    await h.close();
    const empty: CbApp = { applicationId: 9, authKey: 'EMPTYKEY', authSecret: '' };
    h = harness(memoryStoreForTests, { apps: registry([empty]) });
    const body: Record<string, unknown> = { application_id: 9, auth_key: 'EMPTYKEY', nonce: 1, timestamp: Math.floor(h.clock() / 1000) };
    body.signature = v3Sign(body, '');
    expect((await post(body).expect(422)).body).toEqual({ errors: ['Unexpected signature'] });
  });

  it('remembers a signed nonce until its timestamp has left the window, by a second to spare', async () => {
    // Signed at the server's time: its timestamp stays valid for WINDOW, and the nonce must be held as long.
    const body = signedBody(h.clock);
    await post(body).expect(201);
    h.clock.advance(WINDOW - SECOND + 1);
    expect((await post(body).expect(422)).body).toEqual({ errors: ['Unexpected nonce'] });
    h.clock.advance(SECOND - 1);
    expect((await post(body).expect(422)).body).toEqual({ errors: ['Unexpected nonce'] });
    // One signed just inside the window's far end is remembered until it leaves too.
    const old = signedBody(h.clock, { timestamp: Math.floor((h.clock() - WINDOW) / 1000) + 2 });
    await post(old).expect(201);
    h.clock.advance(SECOND);
    expect((await post(old).expect(422)).body).toEqual({ errors: ['Unexpected nonce'] });
  });
});

describe('CB-AuthKey (POST /users without a session)', () => {
  it('finds an application by a key of up to 256 characters; a longer one is unknown', async () => {
    const long: CbApp = { applicationId: 11, authKey: 'K'.repeat(256), authSecret: APP_SECRET };
    const h = harness(memoryStoreForTests, { apps: registry([long]) });
    try {
      const user = { login: 'marvin', password: 'correct horse battery staple' };
      await request(h.app).post('/cb/users.json').set('CB-AuthKey', long.authKey).send({ user }).expect(201);
      const res = await request(h.app)
        .post('/cb/users.json')
        .set('CB-AuthKey', `${long.authKey}K`)
        .send({ user: { ...user, login: 'zed' } })
        .expect(401);
      expect(res.body).toEqual({ errors: ['Unknown application or wrong auth_key'] });
    } finally {
      await h.close();
    }
  });
});
