import request from 'supertest';
import { HOUR, MINUTE } from '@authmount/core';
import { gateReservations, type ReserveGate } from '../../../test-support/gate';
import { testStores } from '../../../test-support/stores';
import { APP_SECRET, PASSWORD, harness, signedBody, v3Sign, type Harness } from './helpers';

describe.each(testStores())('POST /session on the $name store', (ts) => {
  let h: Harness;
  beforeEach(() => {
    h = harness(ts);
  });
  afterEach(async () => {
    await h.close();
  });

  const register = (login = 'john', email = 'john@example.com') => h.auth.accounts.register({ login, email, password: PASSWORD });

  describe('app sessions', () => {
    it('creates a signed app session: 201, CB fields, expiration header, no-store', async () => {
      const body = signedBody(h.clock);
      const res = await request(h.app).post('/cb/session.json').send(body).expect(201);
      const s = res.body.session;
      expect(Object.keys(s)).toEqual(['created_at', 'updated_at', 'application_id', 'token', 'nonce', 'ts', 'user_id', 'id']);
      expect(s).toMatchObject({ application_id: 42, nonce: body.nonce, ts: body.timestamp, user_id: null });
      expect(typeof s.token).toBe('string');
      expect(Number.isSafeInteger(s.id)).toBe(true);
      expect(s.token.startsWith(`${s.id}.`)).toBe(true);
      expect(s.created_at).toBe('2026-01-01T00:00:00.000Z');
      expect(s.updated_at).toBe('2026-01-01T00:00:00.000Z');
      expect(s.user).toBeUndefined();
      expect(res.headers['cb-token-expirationdate']).toBe('2026-01-01 02:00:00 UTC');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    });

    it('refuses a nonce with control characters as a bad parameter (422), on every store', async () => {
      for (const nonce of ['n\u0000x', 'n\tx', 'n\u001bx', 'n\u007f']) {
        const res = await request(h.app).post('/cb/session.json').send(signedBody(h.clock, { nonce })).expect(422);
        expect(res.body).toEqual({ errors: { nonce: ['is invalid'] } });
      }
      await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { nonce: 'n-x_1' }))
        .expect(201);
    });

    it('answers on /session without the .json suffix too, and accepts form bodies', async () => {
      await request(h.app).post('/cb/session').send(signedBody(h.clock)).expect(201);
      const b = signedBody(h.clock, { user: { login: 'nobody', password: 'x' } });
      const form = new URLSearchParams({
        application_id: '42',
        auth_key: 'AKEY',
        nonce: String(b.nonce),
        timestamp: String(b.timestamp),
        'user[login]': 'john',
        'user[password]': PASSWORD,
      });
      await register();
      const signed = v3Sign({
        application_id: '42',
        auth_key: 'AKEY',
        nonce: b.nonce,
        timestamp: b.timestamp,
        user: { login: 'john', password: PASSWORD },
      });
      form.set('signature', signed);
      const res = await request(h.app).post('/cb/session').type('form').send(form.toString()).expect(201);
      expect(res.body.session.user.login).toBe('john');
    });

    it('ignores a CB-Token sent with POST /session (and an empty one, as Flutter sends)', async () => {
      await request(h.app).post('/cb/session.json').set('CB-Token', 'garbage').send(signedBody(h.clock)).expect(201);
      await request(h.app).post('/cb/session.json').set('CB-Token', '').send(signedBody(h.clock)).expect(201);
    });

    it('unsigned requests: refused unless the application allows them', async () => {
      const res = await request(h.app).post('/cb/session.json').send({ application_id: 42, auth_key: 'AKEY' }).expect(422);
      expect(res.body).toEqual({ errors: { signature: ['cannot be blank'] } });
      const ok = await request(h.app).post('/cb/session.json').send({ application_id: 7, auth_key: 'OPENKEY' }).expect(201);
      // Without nonce and timestamp (SDK v6): no `nonce` field, `ts` is the server time.
      expect(ok.body.session.nonce).toBeUndefined();
      expect(ok.body.session.ts).toBe(Math.floor(h.clock() / 1000));
      expect(ok.body.session.application_id).toBe(7);
    });

    it('unknown application or wrong auth_key: 401 in the array style', async () => {
      for (const body of [
        { ...signedBody(h.clock), application_id: 999 },
        signedBody(h.clock, { auth_key: 'WRONG' }),
        { application_id: 7, auth_key: 'AKEY' },
      ]) {
        const res = await request(h.app).post('/cb/session.json').send(body).expect(401);
        expect(res.body).toEqual({ errors: ['Unknown application or wrong auth_key'] });
      }
    });

    it('missing application_id or auth_key: 422 per field', async () => {
      const a = await request(h.app).post('/cb/session.json').send({ auth_key: 'AKEY' }).expect(422);
      expect(a.body).toEqual({ errors: { application_id: ['cannot be blank'] } });
      const b = await request(h.app).post('/cb/session.json').send({ application_id: 42 }).expect(422);
      expect(b.body).toEqual({ errors: { auth_key: ['cannot be blank'] } });
      const c = await request(h.app)
        .post('/cb/session.json')
        .send({ application_id: { x: 1 }, auth_key: 'AKEY' })
        .expect(422);
      expect(c.body).toEqual({ errors: { application_id: ['is invalid'] } });
    });
  });

  describe('signature, timestamp and nonce', () => {
    it('bad signature: 422 {"errors":["Unexpected signature"]}', async () => {
      const body = signedBody(h.clock);
      const wrongSecret = signedBody(h.clock, {}, 'NOT-THE-SECRET');
      const tampered = { ...signedBody(h.clock), nonce: 1 };
      const unsignedUser = signedBody(h.clock);
      unsignedUser.user = { login: 'john', password: PASSWORD }; // user fields added after signing
      for (const b of [{ ...body, signature: 'nothex' }, wrongSecret, tampered, unsignedUser, { ...body, signature: 12 }]) {
        const res = await request(h.app).post('/cb/session.json').send(b).expect(422);
        expect(res.body).toEqual({ errors: ['Unexpected signature'] });
      }
    });

    it('a signed request to an application without a secret is refused', async () => {
      const body: Record<string, unknown> = { application_id: 7, auth_key: 'OPENKEY', nonce: 1, timestamp: Math.floor(h.clock() / 1000) };
      body.signature = v3Sign(body, 'anything');
      const res = await request(h.app).post('/cb/session.json').send(body).expect(422);
      expect(res.body).toEqual({ errors: ['Unexpected signature'] });
    });

    it('stale timestamp (beyond ±3600 s): 422 {"errors":{"timestamp":["invalid timestamp"]}}', async () => {
      const now = Math.floor(h.clock() / 1000);
      for (const timestamp of [now - 3601, now + 3601, now - 26 * 24 * 3600]) {
        const res = await request(h.app).post('/cb/session.json').send(signedBody(h.clock, { timestamp })).expect(422);
        expect(res.body).toEqual({ errors: { timestamp: ['invalid timestamp'] } });
      }
      for (const timestamp of [now - 3600, now + 3600, String(now)]) {
        await request(h.app).post('/cb/session.json').send(signedBody(h.clock, { timestamp })).expect(201);
      }
      const garbage = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { timestamp: 'yesterday' }))
        .expect(422);
      expect(garbage.body).toEqual({ errors: { timestamp: ['invalid timestamp'] } });
      // Unsigned requests that send a timestamp are checked too.
      const open = await request(h.app)
        .post('/cb/session.json')
        .send({ application_id: 7, auth_key: 'OPENKEY', timestamp: now - 7200 })
        .expect(422);
      expect(open.body).toEqual({ errors: { timestamp: ['invalid timestamp'] } });
    });

    it('a signed request needs timestamp and nonce', async () => {
      const noNonce: Record<string, unknown> = { application_id: 42, auth_key: 'AKEY', timestamp: Math.floor(h.clock() / 1000) };
      noNonce.signature = v3Sign(noNonce);
      expect((await request(h.app).post('/cb/session.json').send(noNonce).expect(422)).body).toEqual({
        errors: { nonce: ['cannot be blank'] },
      });
      const noTs: Record<string, unknown> = { application_id: 42, auth_key: 'AKEY', nonce: 5 };
      noTs.signature = v3Sign(noTs);
      expect((await request(h.app).post('/cb/session.json').send(noTs).expect(422)).body).toEqual({
        errors: { timestamp: ['cannot be blank'] },
      });
    });

    it('replayed (timestamp, nonce) pair: 422, per application, for the window only', async () => {
      const body = signedBody(h.clock);
      await request(h.app).post('/cb/session.json').send(body).expect(201);
      const again = await request(h.app).post('/cb/session.json').send(body).expect(422);
      expect(again.body).toEqual({ errors: ['Unexpected nonce'] });
      // Same nonce with another timestamp is a new pair.
      const nextSecond: Record<string, unknown> = { ...body, timestamp: (body.timestamp as number) + 1 };
      nextSecond.signature = v3Sign(nextSecond);
      await request(h.app).post('/cb/session.json').send(nextSecond).expect(201);
      // Once the timestamp is out of the window the pair is refused by the timestamp check.
      h.clock.advance(HOUR + MINUTE);
      expect((await request(h.app).post('/cb/session.json').send(body).expect(422)).body).toEqual({
        errors: { timestamp: ['invalid timestamp'] },
      });
    });

    it('concurrent replays of one signed request: exactly one session', async () => {
      // The 8 nonce reservations are held until all have arrived and then reach the store together, so the
      // race is certain: a store whose reserve is not atomic lets several replays through here.
      await h.close();
      let gate: ReserveGate | undefined;
      h = harness({ ...ts, make: (clock) => (gate = gateReservations(ts.make(clock), 8, (key) => key.startsWith('nonce:'))).store });
      const body = signedBody(h.clock);
      const results = await Promise.all(Array.from({ length: 8 }, () => request(h.app).post('/cb/session.json').send(body)));
      expect(gate!.arrived()).toBe(8);
      expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(422)]);
      for (const r of results.filter((x) => x.status === 422)) expect(JSON.stringify(r.body)).toMatch(/nonce/i);
    });

    it('SHA-256 signatures are accepted when the application enables them', async () => {
      await h.close();
      h = harness(ts, { apps: [{ applicationId: 42, authKey: 'AKEY', authSecret: APP_SECRET, signatureAlgorithms: ['sha1', 'sha256'] }] });
      const body: Record<string, unknown> = { application_id: 42, auth_key: 'AKEY', nonce: 77, timestamp: Math.floor(h.clock() / 1000) };
      body.signature = v3Sign(body, APP_SECRET, 'sha256');
      await request(h.app).post('/cb/session.json').send(body).expect(201);
    });
  });

  describe('user sessions', () => {
    it('login + password: 201 with the user (no password, no hash)', async () => {
      const u = await register();
      await h.auth.accounts.update(u.id, { attributes: { full_name: 'John Smith', user_tags: ['vip', 'accountant'] } });
      const res = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { login: 'john', password: PASSWORD } }))
        .expect(201);
      const s = res.body.session;
      expect(s.user_id).toBe(u.id);
      expect(s.user).toMatchObject({
        id: u.id,
        login: 'john',
        email: 'john@example.com',
        full_name: 'John Smith',
        user_tags: 'vip,accountant',
        is_guest: null,
      });
      expect(s.user._id).toMatch(/^[0-9a-f]{24}$/);
      expect(s.user._id.slice(0, 8)).toBe('6955b900'); // creation time in hex seconds, then the user id
      expect(s.user.created_at).toBe('2026-01-01T00:00:00Z'); // user dates have no milliseconds
      expect(s.user.updated_at).toBe('2026-01-01T00:00:00Z');
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
      const t = await h.auth.tokens.get(String(s.id));
      expect(t).toMatchObject({ kind: 'user', userId: u.id, appId: '42' });
    });

    it('email + password works too; login wins when both are sent', async () => {
      await register();
      const byEmail = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { email: 'john@example.com', password: PASSWORD } }))
        .expect(201);
      expect(byEmail.body.session.user.login).toBe('john');
      await register('jane', 'jane@example.com');
      const both = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { login: 'jane', email: 'john@example.com', password: PASSWORD } }))
        .expect(201);
      expect(both.body.session.user.login).toBe('jane');
    });

    it('wrong password and unknown user answer the same 401', async () => {
      await register();
      const wrong = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { login: 'john', password: 'wrong password!' } }))
        .expect(401);
      const unknown = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { login: 'ghost', password: PASSWORD } }))
        .expect(401);
      expect(wrong.body).toEqual({ errors: ['Unauthorized'] });
      expect(unknown.body).toEqual(wrong.body);
    });

    it('missing password: 422 {"errors":{"password":["cannot be blank"]}}', async () => {
      const res = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { login: 'john' } }))
        .expect(422);
      expect(res.body).toEqual({ errors: { password: ['cannot be blank'] } });
      const bad = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: 'john' }))
        .expect(422);
      expect(bad.body).toEqual({ errors: { user: ['is invalid'] } });
    });

    it('repeated failures are throttled (429 in CB shape with Retry-After)', async () => {
      await register();
      let last;
      for (let i = 0; i < 11; i++) {
        last = await request(h.app)
          .post('/cb/session.json')
          .send(signedBody(h.clock, { user: { login: 'john', password: `wrong ${i}` } }));
      }
      expect(last!.status).toBe(429);
      expect(last!.body).toEqual({ errors: { base: ['Too many requests. Try again later.'] } });
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('auto-creation is off by default and per application', async () => {
      const body = () => signedBody(h.clock, { user: { login: 'newbie', password: PASSWORD } });
      await request(h.app).post('/cb/session.json').send(body()).expect(401);
      expect(await h.auth.accounts.findByIdentifier('newbie')).toBeNull();

      await h.close();
      h = harness(ts, { apps: [{ applicationId: 42, authKey: 'AKEY', authSecret: APP_SECRET, autoCreateUsers: true }] });
      const res = await request(h.app).post('/cb/session.json').send(body()).expect(201);
      expect(res.body.session.user.login).toBe('newbie');
      // The next session for the same login verifies the password of the created user.
      await request(h.app).post('/cb/session.json').send(body()).expect(201);
      await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { login: 'newbie', password: 'another long password' } }))
        .expect(401);
      // The password policy applies to auto-created users.
      const weak = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { login: 'weak', password: 'short' } }))
        .expect(422);
      expect(weak.body.errors.password.length).toBeGreaterThan(0);
    });
  });

  describe('guest sessions', () => {
    it('creates a guest user and a guest session valid for 1 day', async () => {
      const res = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { guest: '1', full_name: 'Olof Shodger' } }))
        .expect(201);
      const s = res.body.session;
      expect(s.user).toMatchObject({ full_name: 'Olof Shodger', is_guest: true, email: null });
      expect(s.user.login).toMatch(/^guest_login_[0-9A-F]{36}$/);
      expect(s.user_id).toBe(s.user.id);
      expect(res.headers['cb-token-expirationdate']).toBe('2026-01-02 00:00:00 UTC');
      const t = await h.auth.tokens.get(String(s.id));
      expect(t).toMatchObject({ kind: 'guest', userId: s.user.id });
    });

    it('a guest cannot log in with a password', async () => {
      const res = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { user: { guest: '1' } }))
        .expect(201);
      const login = res.body.session.user.login;
      for (const password of ['x', PASSWORD]) {
        const r = await request(h.app)
          .post('/cb/session.json')
          .send(signedBody(h.clock, { user: { login, password } }))
          .expect(401);
        expect(r.body).toEqual({ errors: ['Unauthorized'] });
      }
    });
  });

  describe('provider sessions', () => {
    it('no verifier configured: a clear 422', async () => {
      const res = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { provider: 'facebook', keys: { token: 'FBT' } }))
        .expect(422);
      expect(res.body).toEqual({ errors: { base: ['Login provider facebook is not supported'] } });
      const odd = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { provider: '<script>' }))
        .expect(422);
      expect(odd.body).toEqual({ errors: { provider: ['is invalid'] } });
    });

    it('a verifier vouches for a subject: user created once, then reused', async () => {
      await h.close();
      const seen: unknown[] = [];
      h = harness(ts, {
        providers: {
          facebook: async (c) => {
            seen.push(c);
            return c.keys.token === 'GOOD' ? { subject: '1001', fullName: 'Face Book' } : null;
          },
          firebase_phone: async (c) => (c.firebase.access_token === 'ID' ? { subject: 'uid-9', attributes: { phone: '+100' } } : null),
        },
      });
      const first = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { provider: 'facebook', keys: { token: 'GOOD' } }))
        .expect(201);
      expect(first.body.session.user).toMatchObject({ login: 'facebook_1001', facebook_id: '1001', full_name: 'Face Book' });
      const second = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { provider: 'facebook', keys: { token: 'GOOD' } }))
        .expect(201);
      expect(second.body.session.user.id).toBe(first.body.session.user.id);
      expect(seen[0]).toEqual({ provider: 'facebook', keys: { token: 'GOOD' }, firebase: {}, applicationId: '42' });

      const refused = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { provider: 'facebook', keys: { token: 'BAD' } }))
        .expect(422);
      expect(refused.body).toEqual({ errors: { base: ['Login provider facebook rejected the credentials'] } });

      const fb = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { provider: 'firebase_phone', firebase_phone: { project_id: 'p', access_token: 'ID' } }))
        .expect(201);
      expect(fb.body.session.user).toMatchObject({ login: 'firebase_phone_uid-9', phone: '+100' });
    });

    it('a password account that squats a provider login name is never handed to the provider user', async () => {
      await h.close();
      h = harness(ts, { providers: { facebook: async () => ({ subject: '77' }) } });
      await h.auth.accounts.register({ login: 'facebook_77', password: PASSWORD });
      const res = await request(h.app)
        .post('/cb/session.json')
        .send(signedBody(h.clock, { provider: 'facebook', keys: { token: 'T' } }))
        .expect(422);
      expect(res.body).toEqual({ errors: { base: ['login must be unique'] } });
    });
  });

  describe('bad input never gives a 500', () => {
    it('malformed JSON, non-object bodies, huge bodies, odd types', async () => {
      const bad = await request(h.app)
        .post('/cb/session.json')
        .set('Content-Type', 'application/json')
        .send('{"application_id":')
        .expect(400);
      expect(bad.body).toEqual({ errors: { base: ['Request body could not be parsed'] } });
      const big = await request(h.app)
        .post('/cb/session.json')
        .send({ application_id: 42, auth_key: 'x'.repeat(100_000) })
        .expect(400);
      expect(big.body).toEqual({ errors: { base: ['Request body is too large'] } });
      await request(h.app).post('/cb/session.json').set('Content-Type', 'application/json').send('[1,2]').expect(422);
      await request(h.app).post('/cb/session.json').send('plain text').expect(422);
      for (const user of [[1], { login: ['a'], password: 'x' }, { login: 'a', password: { p: 1 } }, { guest: '1', full_name: { a: 1 } }]) {
        const r = await request(h.app).post('/cb/session.json').send(signedBody(h.clock, { user }));
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(r.body.errors).toBeDefined();
      }
    });
  });

  it('store down: 503 in CB shape, fail closed', async () => {
    await register();
    h.setStoreDown(true);
    for (const body of [
      signedBody(h.clock),
      signedBody(h.clock, { user: { login: 'john', password: PASSWORD } }),
      signedBody(h.clock, { user: { guest: 1 } }),
    ]) {
      const res = await request(h.app).post('/cb/session.json').send(body).expect(503);
      expect(res.body).toEqual({ errors: { base: ['Service temporarily unavailable. Try again later.'] } });
      expect(res.headers['retry-after']).toBe('1');
    }
    h.setStoreDown(false);
    await request(h.app).post('/cb/session.json').send(signedBody(h.clock)).expect(201);
  });

  it('tokens and secrets never appear in audit events', async () => {
    const events: unknown[] = [];
    h.auth.events.onAny((e) => events.push(e));
    await register();
    const res = await request(h.app)
      .post('/cb/session.json')
      .send(signedBody(h.clock, { user: { login: 'john', password: PASSWORD } }))
      .expect(201);
    const dump = JSON.stringify(events);
    expect(events.length).toBeGreaterThan(0);
    expect(dump).not.toContain(res.body.session.token.split('.')[1]);
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain(APP_SECRET);
  });
});
