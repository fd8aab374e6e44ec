import request from 'supertest';
import { DAY, HOUR, MINUTE } from '@authmount/core';
import { cbTokenGuard, expirationDate } from '@authmount/cb-token';
import express from 'express';
import { testStores } from '../../../test-support/stores';
import { PASSWORD, harness, signedBody, type Harness } from './helpers';

const SESSION_GONE = { errors: { base: ['Required session does not exist'] } };
const TOKEN_REQUIRED = { errors: ['Token is required'] };
const NEED_USER = { errors: { base: ['Forbidden. Need user.'] } };

describe.each(testStores())('CB sessions on the $name store', (ts) => {
  let h: Harness;
  beforeEach(() => {
    h = harness(ts);
  });
  afterEach(async () => {
    await h.close();
  });

  const newSession = async (extra: Record<string, unknown> = {}) => {
    const res = await request(h.app).post('/cb/session.json').send(signedBody(h.clock, extra)).expect(201);
    return res.body.session as { token: string; id: number; user_id: number | null; user?: { id: number; login: string } };
  };
  const register = () => h.auth.accounts.register({ login: 'john', email: 'john@example.com', password: PASSWORD });

  describe('the CB-Token guard', () => {
    it('missing or empty token: 401 {"errors":["Token is required"]}', async () => {
      expect((await request(h.app).get('/cb/data/Note.json').expect(401)).body).toEqual(TOKEN_REQUIRED);
      expect((await request(h.app).get('/cb/data/Note.json').set('CB-Token', '').expect(401)).body).toEqual(TOKEN_REQUIRED);
      expect((await request(h.app).get('/cb/session.json').expect(401)).body).toEqual(TOKEN_REQUIRED);
    });

    it('unknown, garbage or revoked token: exactly 401 {"errors":{"base":["Required session does not exist"]}}', async () => {
      const s = await newSession();
      const [id] = s.token.split('.');
      const forged = `${id}.${'A'.repeat(43)}`;
      for (const token of ['garbage', forged, `9${s.token}`, 'x'.repeat(5000)]) {
        const res = await request(h.app).get('/cb/data/Note.json').set('CB-Token', token).expect(401);
        expect(res.body).toEqual(SESSION_GONE);
      }
      await request(h.app).delete('/cb/session.json').set('CB-Token', s.token).expect(200);
      expect((await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(401)).body).toEqual(SESSION_GONE);
    });

    it('a token of another issuer is no CB session: 401 on the guard and every CB route, and it is not slid', async () => {
      const u = await register();
      const foreign = await Promise.all(
        ['authmount', 'pcloud', 'x-auth-bearer', 'oauth'].map((issuer) => h.auth.tokens.issue({ userId: u.id, issuer, appId: '42' })),
      );
      const appLike = await h.auth.tokens.issue({ userId: null, issuer: 'pcloud', appId: '42' });
      h.clock.advance(MINUTE);
      for (const t of [...foreign, appLike]) {
        expect((await request(h.app).get('/cb/data/Note.json').set('CB-Token', t.token).expect(401)).body).toEqual(SESSION_GONE);
        expect((await request(h.app).get('/cb/session.json').set('CB-Token', t.token).expect(401)).body).toEqual(SESSION_GONE);
        await request(h.app).delete('/cb/session.json').set('CB-Token', t.token).expect(401);
        await request(h.app).post('/cb/login.json').set('CB-Token', t.token).send({ login: 'john', password: PASSWORD }).expect(401);
        await request(h.app).delete('/cb/login.json').set('CB-Token', t.token).expect(401);
        await request(h.app)
          .post('/cb/users.json')
          .set('CB-Token', t.token)
          .send({ user: { login: 'zed', password: PASSWORD } })
          .expect(401);
        const stored = await h.store.tokens.peek(t.info.id, h.clock());
        expect(stored).toMatchObject({
          kind: t.info.kind,
          userId: t.info.userId,
          lastUsedAt: t.info.lastUsedAt,
          idleExpiresAt: t.info.idleExpiresAt,
          expiresAt: t.info.expiresAt,
        });
      }
      expect(await h.auth.accounts.findByIdentifier('zed')).toBeNull();
    });

    it('acceptIssuers shares other issuers on guard() only; the CB routes stay CB-only', async () => {
      await h.close();
      h = harness(ts, { acceptIssuers: ['cb-token', 'authmount'] });
      const u = await register();
      const own = await h.auth.tokens.issue({ userId: u.id });
      expect((await request(h.app).post('/cb/data/Note.json').set('CB-Token', own.token).send({}).expect(201)).body.user_id).toBe(u.id);
      await request(h.app).get('/cb/session.json').set('CB-Token', own.token).expect(401);
      // Per guard, too:
      const app = express();
      app.get('/x', cbTokenGuard(h.auth, { apps: [] }, { acceptIssuers: ['authmount'] }), (req, res) =>
        res.json({ issuer: req.auth!.issuer }),
      );
      expect((await request(app).get('/x').set('CB-Token', own.token).expect(200)).body).toEqual({ issuer: 'authmount' });
    });

    it('app sessions are read-only: GET passes, writes get 403 "Forbidden. Need user." and are not slid', async () => {
      const s = await newSession();
      const ok = await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
      expect(ok.body).toEqual({ items: [], user_id: null, kind: 'app' });
      await request(h.app).head('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
      const before = await h.auth.tokens.get(String(s.id));
      h.clock.advance(MINUTE);
      const res = await request(h.app).post('/cb/data/Note.json').set('CB-Token', s.token).send({ a: 1 }).expect(403);
      expect(res.body).toEqual(NEED_USER);
      await request(h.app).delete('/cb/login.json').set('CB-Token', s.token).expect(403);
      expect(await h.auth.tokens.get(String(s.id))).toMatchObject({ lastUsedAt: before!.lastUsedAt, idleExpiresAt: before!.idleExpiresAt });
    });

    it('user and guest sessions read and write', async () => {
      await register();
      const user = await newSession({ user: { login: 'john', password: PASSWORD } });
      await request(h.app).post('/cb/data/Note.json').set('CB-Token', user.token).send({}).expect(201);
      const guest = await newSession({ user: { guest: '1' } });
      const res = await request(h.app).post('/cb/data/Note.json').set('CB-Token', guest.token).send({}).expect(201);
      expect(res.body.user_id).toBe(guest.user_id);
    });

    it('the guard sets CB-Token-ExpirationDate on every authenticated answer', async () => {
      const s = await newSession();
      h.clock.advance(30 * MINUTE + 5_250);
      const res = await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
      // Literal: `yyyy-MM-dd HH:mm:ss UTC`, milliseconds dropped (the format Flutter's SDK parses).
      expect(res.headers['cb-token-expirationdate']).toBe('2026-01-01 02:30:05 UTC');
      expect(res.headers['access-control-expose-headers']).toContain('CB-Token-ExpirationDate');
    });

    it('store down: 503 in CB shape, never a 401 that would make the SDK drop its session', async () => {
      const s = await newSession();
      h.setStoreDown(true);
      const res = await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(503);
      expect(res.body).toEqual({ errors: { base: ['Service temporarily unavailable. Try again later.'] } });
      await request(h.app).get('/cb/session.json').set('CB-Token', s.token).expect(503);
      await request(h.app).post('/cb/login.json').set('CB-Token', s.token).send({ login: 'a', password: 'b' }).expect(503);
      await request(h.app)
        .post('/cb/users.json')
        .set('CB-AuthKey', 'AKEY')
        .send({ user: { login: 'x', password: PASSWORD } })
        .expect(503);
      h.setStoreDown(false);
      await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
    });

    it('tokens of an application no longer in the registry stop working', async () => {
      const s = await newSession();
      // Same auth and store, but a registry without application 42.
      const app = express();
      app.get(
        '/x',
        cbTokenGuard(h.auth, { apps: [{ applicationId: 43, authKey: 'K', authSecret: 'another-app-secret-43' }] }),
        (_req, res) => {
          res.json({ ok: true });
        },
      );
      expect((await request(app).get('/x').set('CB-Token', s.token).expect(401)).body).toEqual(SESSION_GONE);
      await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
    });
  });

  describe('sliding expiry (2 hours)', () => {
    it('every authenticated request prolongs the session by 2 hours', async () => {
      const s = await newSession();
      for (let i = 0; i < 5; i++) {
        h.clock.advance(2 * HOUR - MINUTE);
        await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
      }
      // 10 hours after creation the session is still alive; 2 hours of silence kill it.
      h.clock.advance(2 * HOUR);
      expect((await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(401)).body).toEqual(SESSION_GONE);
    });

    it('GET /session counts as use; an expired session cannot be read', async () => {
      const s = await newSession();
      h.clock.advance(HOUR + 59 * MINUTE);
      await request(h.app).get('/cb/session.json').set('CB-Token', s.token).expect(200);
      h.clock.advance(HOUR + 59 * MINUTE);
      await request(h.app).get('/cb/session').set('CB-Token', s.token).expect(200);
      h.clock.advance(2 * HOUR);
      expect((await request(h.app).get('/cb/session.json').set('CB-Token', s.token).expect(401)).body).toEqual(SESSION_GONE);
    });

    it('the absolute lifetime caps the slide (30 days by default)', async () => {
      const s = await newSession();
      expect((await h.auth.tokens.get(String(s.id)))!.expiresAt).toBe(h.clock() + 30 * DAY);
      await h.close();
      h = harness(ts, { sessionMaxAge: 5 * HOUR });
      const short = await newSession();
      for (let i = 0; i < 4; i++) {
        h.clock.advance(HOUR);
        await request(h.app).get('/cb/data/Note.json').set('CB-Token', short.token).expect(200);
      }
      const last = await request(h.app).get('/cb/data/Note.json').set('CB-Token', short.token).expect(200);
      expect(last.headers['cb-token-expirationdate']).toBe('2026-01-01 05:00:00 UTC'); // capped at 5 h, not 04:00 + 2 h
      h.clock.advance(HOUR);
      await request(h.app).get('/cb/data/Note.json').set('CB-Token', short.token).expect(401);
    });
  });

  describe('GET and DELETE /session', () => {
    it('GET /session returns the session with its user (and the token the client holds)', async () => {
      await register();
      const s = await newSession({ user: { login: 'john', password: PASSWORD } });
      const res = await request(h.app).get('/cb/session.json').set('CB-Token', s.token).expect(200);
      expect(res.body.session).toMatchObject({ id: s.id, token: s.token, user_id: s.user_id, application_id: 42 });
      expect(res.body.session.user).toMatchObject({ id: s.user_id, login: 'john' });
      expect(res.headers['cache-control']).toBe('no-store');
      const app = await newSession();
      const r2 = await request(h.app).get('/cb/session.json').set('CB-Token', app.token).expect(200);
      expect(r2.body.session.user_id).toBeNull();
      expect(r2.body.session.user).toBeUndefined();
    });

    it('DELETE /session: 200, empty body, token gone', async () => {
      const s = await newSession();
      const res = await request(h.app).delete('/cb/session.json').set('CB-Token', s.token).expect(200);
      expect(res.text).toBe('');
      expect(await h.auth.tokens.get(String(s.id))).toBeNull();
      expect((await request(h.app).delete('/cb/session.json').set('CB-Token', s.token).expect(401)).body).toEqual(SESSION_GONE);
    });

    it('a deleted user takes its sessions along', async () => {
      const u = await register();
      const s = await newSession({ user: { login: 'john', password: PASSWORD } });
      await h.auth.accounts.delete(u.id);
      expect((await request(h.app).get('/cb/session.json').set('CB-Token', s.token).expect(401)).body).toEqual(SESSION_GONE);
    });
  });

  describe('POST /login and DELETE /login', () => {
    it('upgrades the same token to a user session, and downgrades it back', async () => {
      const u = await register();
      const s = await newSession();
      await request(h.app).post('/cb/data/Note.json').set('CB-Token', s.token).send({}).expect(403);

      const login = await request(h.app)
        .post('/cb/login.json')
        .set('CB-Token', s.token)
        .send({ login: 'john', password: PASSWORD })
        .expect(200);
      expect(login.body.user).toMatchObject({ id: u.id, login: 'john', email: 'john@example.com' });
      expect(login.body.user.password).toBeUndefined();
      expect(await h.auth.tokens.get(String(s.id))).toMatchObject({ kind: 'user', userId: u.id });
      const write = await request(h.app).post('/cb/data/Note.json').set('CB-Token', s.token).send({}).expect(201);
      expect(write.body.user_id).toBe(u.id);
      const got = await request(h.app).get('/cb/session.json').set('CB-Token', s.token).expect(200);
      expect(got.body.session).toMatchObject({ id: s.id, user_id: u.id });

      const out = await request(h.app).delete('/cb/login.json').set('CB-Token', s.token).expect(200);
      expect(out.text).toBe('');
      expect(await h.auth.tokens.get(String(s.id))).toMatchObject({ kind: 'app', userId: null });
      await request(h.app).post('/cb/data/Note.json').set('CB-Token', s.token).send({}).expect(403);
      await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
    });

    it('login by email; wrong password 401; missing password 422', async () => {
      await register();
      const s = await newSession();
      await request(h.app).post('/cb/login').set('CB-Token', s.token).send({ email: 'john@example.com', password: PASSWORD }).expect(200);
      const s2 = await newSession();
      expect(
        (
          await request(h.app)
            .post('/cb/login.json')
            .set('CB-Token', s2.token)
            .send({ login: 'john', password: 'nope nope nope' })
            .expect(401)
        ).body,
      ).toEqual({
        errors: ['Unauthorized'],
      });
      expect((await request(h.app).post('/cb/login.json').set('CB-Token', s2.token).send({ login: 'john' }).expect(422)).body).toEqual({
        errors: { password: ['cannot be blank'] },
      });
      expect((await request(h.app).post('/cb/login.json').set('CB-Token', s2.token).send({}).expect(422)).body).toEqual({
        errors: { login: ['cannot be blank'] },
      });
      // The failed attempts left the token an app session.
      expect(await h.auth.tokens.get(String(s2.id))).toMatchObject({ kind: 'app' });
    });

    it('POST /login needs a session; DELETE /login needs a user session', async () => {
      expect((await request(h.app).post('/cb/login.json').send({ login: 'john', password: PASSWORD }).expect(401)).body).toEqual(
        TOKEN_REQUIRED,
      );
      const s = await newSession();
      expect((await request(h.app).delete('/cb/login.json').set('CB-Token', s.token).expect(403)).body).toEqual(NEED_USER);
    });

    it('a logged-in session slides for 2 hours from the login', async () => {
      await register();
      const s = await newSession();
      h.clock.advance(HOUR);
      const res = await request(h.app)
        .post('/cb/login.json')
        .set('CB-Token', s.token)
        .send({ login: 'john', password: PASSWORD })
        .expect(200);
      expect(res.headers['cb-token-expirationdate']).toBe('2026-01-01 03:00:00 UTC'); // login at 01:00 + 2 h
      h.clock.advance(2 * HOUR + 1);
      await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(401);
    });
  });

  describe('guest sessions', () => {
    it('the guest session and its user are gone after 1 day, however often it is used', async () => {
      const s = await newSession({ user: { guest: '1', full_name: 'G' } });
      const userId = s.user_id!;
      // Used every 3 hours (more than the 2-hour window): a guest session does not idle out within its day...
      for (let i = 0; i < 7; i++) {
        h.clock.advance(3 * HOUR);
        const res = await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
        // ...and does not slide past it either.
        expect(res.headers['cb-token-expirationdate']).toBe('2026-01-02 00:00:00 UTC');
      }
      expect(await h.auth.accounts.find(userId)).not.toBeNull();
      h.clock.advance(3 * HOUR); // 24 h
      expect((await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(401)).body).toEqual(SESSION_GONE);
      expect(await h.auth.accounts.find(userId)).toBeNull();
      expect(await h.auth.accounts.findByIdentifier(s.user!.login)).toBeNull();
    });

    it('DELETE /session of a guest session deletes the guest user', async () => {
      const s = await newSession({ user: { guest: '1' } });
      await request(h.app).delete('/cb/session.json').set('CB-Token', s.token).expect(200);
      expect(await h.auth.accounts.find(s.user_id!)).toBeNull();
    });

    it('the ceiling: POST /login does not restart a session’s life; login / logout cycles stop at creation + sessionMaxAge', async () => {
      await h.close();
      h = harness(ts, { sessionIdleTtl: 2 * DAY }); // a daily login keeps it from idling out
      await register();
      const s = await newSession();
      const created = h.clock();
      expect(await h.auth.tokens.get(String(s.id))).toMatchObject({ issuer: 'cb-token', maxExpiresAt: created + 30 * DAY });
      let cycles = 0;
      for (; cycles < 40; cycles++) {
        h.clock.advance(DAY - HOUR);
        const res = await request(h.app).post('/cb/login.json').set('CB-Token', s.token).send({ login: 'john', password: PASSWORD });
        if (h.clock() >= created + 30 * DAY) {
          expect(res.status).toBe(401);
          break;
        }
        expect(res.status).toBe(200);
        expect((await h.auth.tokens.get(String(s.id)))!.expiresAt).toBe(created + 30 * DAY);
        await request(h.app).delete('/cb/login.json').set('CB-Token', s.token).expect(200);
      }
      expect(cycles).toBe(31); // dead on the first login at or after creation + 30 days
      await request(h.app).get('/cb/session.json').set('CB-Token', s.token).expect(401);
    });

    it('a guest session upgraded by POST /login becomes an ordinary user session', async () => {
      const u = await register();
      const s = await newSession({ user: { guest: '1' } });
      await request(h.app).post('/cb/login.json').set('CB-Token', s.token).send({ login: 'john', password: PASSWORD }).expect(200);
      expect(await h.auth.tokens.get(String(s.id))).toMatchObject({ kind: 'user', userId: u.id });
      for (let i = 0; i < 20; i++) {
        h.clock.advance(90 * MINUTE);
        await request(h.app).get('/cb/data/Note.json').set('CB-Token', s.token).expect(200);
      }
    });
  });

  describe('POST /users (sign-up)', () => {
    it('refuses a NUL in a profile field or a tag as that field being invalid (422), on every store', async () => {
      for (const [field, user] of [
        ['full_name', { full_name: 'Mar\u0000vin' }],
        ['tag_list', { tag_list: ['ok', 'b\u0000d'] }],
        ['login', { login: 'mar\u0000vin' }],
      ] as const) {
        const res = await request(h.app)
          .post('/cb/users.json')
          .set('CB-AuthKey', 'AKEY')
          .send({ user: { login: 'marvin', password: PASSWORD, ...user } })
          .expect(422);
        expect(res.body.errors).toHaveProperty(field);
      }
      expect(await h.auth.accounts.findByIdentifier('marvin')).toBeNull();
    });

    it('with CB-AuthKey (SDK v6 without a session): 201 { user } with profile fields', async () => {
      const res = await request(h.app)
        .post('/cb/users.json')
        .set('CB-AuthKey', 'AKEY')
        .send({
          user: {
            login: 'marvin',
            password: PASSWORD,
            email: 'm@example.com',
            full_name: 'Marvin',
            phone: '555',
            tag_list: ['b', 'a', 'a'],
            custom_data: '{"x":1}',
            external_user_id: '12',
          },
        })
        .expect(201);
      expect(res.body.user).toMatchObject({
        login: 'marvin',
        email: 'm@example.com',
        full_name: 'Marvin',
        phone: '555',
        user_tags: 'b,a',
        custom_data: '{"x":1}',
        external_user_id: 12,
        is_guest: null,
        website: null,
      });
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
      await h.auth.accounts.login({ identifier: 'marvin', password: PASSWORD, ip: undefined, method: 'test' });
    });

    it('with a CB-Token of an app session; the session stays an app session', async () => {
      const s = await newSession();
      await request(h.app)
        .post('/cb/users')
        .set('CB-Token', s.token)
        .send({ user: { email: 'e@example.com', password: PASSWORD } })
        .expect(201);
      expect(await h.auth.tokens.get(String(s.id))).toMatchObject({ kind: 'app' });
    });

    it('form-encoded sign-up works too', async () => {
      const res = await request(h.app)
        .post('/cb/users.json')
        .set('CB-AuthKey', 'AKEY')
        .type('form')
        .send(`user[login]=formy&user[password]=${encodeURIComponent(PASSWORD)}`)
        .expect(201);
      expect(res.body.user.login).toBe('formy');
    });

    it('duplicate login or email: 422 "... must be unique"', async () => {
      await register();
      const email = await request(h.app)
        .post('/cb/users.json')
        .set('CB-AuthKey', 'AKEY')
        .send({ user: { login: 'other', email: 'JOHN@example.com', password: PASSWORD } })
        .expect(422);
      expect(email.body).toEqual({ errors: { base: ['email must be unique'] } });
      const login = await request(h.app)
        .post('/cb/users.json')
        .set('CB-AuthKey', 'AKEY')
        .send({ user: { login: 'John', password: PASSWORD } })
        .expect(422);
      expect(login.body).toEqual({ errors: { base: ['login must be unique'] } });
    });

    it('validation: password policy, blank fields, bad e-mail, no auth', async () => {
      const post = (user: unknown) => request(h.app).post('/cb/users.json').set('CB-AuthKey', 'AKEY').send({ user });
      const weak = await post({ login: 'weakling', password: 'password' }).expect(422);
      expect(weak.body.errors.password.length).toBeGreaterThan(0);
      expect((await post({ login: 'x' }).expect(422)).body).toEqual({ errors: { password: ['cannot be blank'] } });
      expect((await post({ password: PASSWORD }).expect(422)).body).toEqual({ errors: { base: ['login or email required'] } });
      expect((await post(undefined).expect(422)).body).toEqual({ errors: { user: ['cannot be blank'] } });
      expect((await post({ email: 'not-an-email', password: PASSWORD }).expect(422)).body.errors.email).toBeDefined();
      expect((await post({ login: 'ok', password: PASSWORD, tag_list: { a: 1 } }).expect(422)).body).toEqual({
        errors: { tag_list: ['is invalid'] },
      });
      expect(
        (
          await request(h.app)
            .post('/cb/users.json')
            .send({ user: { login: 'a', password: PASSWORD } })
            .expect(401)
        ).body,
      ).toEqual(TOKEN_REQUIRED);
      expect(
        (
          await request(h.app)
            .post('/cb/users.json')
            .set('CB-AuthKey', 'NOPE')
            .send({ user: { login: 'a', password: PASSWORD } })
            .expect(401)
        ).body,
      ).toEqual({
        errors: ['Unknown application or wrong auth_key'],
      });
    });
  });
});

describe('expirationDate (the CB-Token-ExpirationDate format)', () => {
  it('is `yyyy-MM-dd HH:mm:ss UTC`: zero-padded, 24-hour, milliseconds dropped', () => {
    expect(expirationDate(Date.UTC(2021, 5, 4, 12, 10, 53, 999))).toBe('2021-06-04 12:10:53 UTC');
    expect(expirationDate(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05 UTC');
    expect(expirationDate(Date.UTC(2030, 11, 31, 23, 59, 59, 1))).toBe('2030-12-31 23:59:59 UTC');
  });
});
