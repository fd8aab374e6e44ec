import request from 'supertest';
import { testStores } from '../../../test-support/stores';
import { APP, OPEN_APP, PASSWORD, harness, signedBody, type Harness } from './helpers';

// The login cases of issue 13, next to an existing `bob` (login) whose e-mail is bob@example.com.
const CASES: ReadonlyArray<readonly [name: string, login: string, body: unknown]> = [
  ['full-width ｂｏｂ (NFKC: it IS bob)', 'ｂｏｂ', { errors: { base: ['login must be unique'] } }],
  ['bob + zero-width space', 'bob\u200B', { errors: { login: ['cannot contain control or invisible characters'] } }],
  ['" bob" (leading space)', ' bob', { errors: { login: ['cannot start or end with a space'] } }],
  ['BOB@EXAMPLE.COM (bob’s e-mail) as a login', 'BOB@EXAMPLE.COM', { errors: { login: ['cannot contain @'] } }],
];

describe.each(testStores())('CB logins go through core’s normaliser on the $name store', (ts) => {
  let h: Harness;
  let bobId: number;
  beforeEach(async () => {
    h = harness(ts, { apps: [{ ...APP, autoCreateUsers: true }, OPEN_APP] });
    bobId = (await h.auth.accounts.register({ login: 'bob', email: 'bob@example.com', password: PASSWORD })).id;
  });
  afterEach(() => h.close());

  it.each(CASES)('POST /users refuses %s with 422 in CB’s shape', async (_name, login, body) => {
    const res = await request(h.app)
      .post('/cb/users.json')
      .set('CB-AuthKey', 'AKEY')
      .send({ user: { login, password: PASSWORD } });
    expect([res.status, res.body]).toEqual([422, body]);
    // The same with a form body (`user[login]=`).
    const form = await request(h.app)
      .post('/cb/users')
      .set('CB-AuthKey', 'AKEY')
      .type('form')
      .send(`user[login]=${encodeURIComponent(login)}&user[password]=${encodeURIComponent(PASSWORD)}`);
    expect([form.status, form.body]).toEqual([422, body]);
  });

  it.each(CASES)('POST /session with auto-create creates no user for %s', async (_name, login, body) => {
    const res = await request(h.app)
      .post('/cb/session.json')
      .send(signedBody(h.clock, { user: { login, password: `${PASSWORD} but another` } }));
    // ｂｏｂ is bob (NFKC) and BOB@EXAMPLE.COM is bob's e-mail: a login attempt with a wrong password, not a new user.
    const isBob = login === 'ｂｏｂ' || login === 'BOB@EXAMPLE.COM';
    expect([res.status, res.body]).toEqual(isBob ? [401, { errors: ['Unauthorized'] }] : [422, body]);
    expect((await h.auth.accounts.findByIdentifier(login))?.id ?? null).toBe(isBob ? bobId : null);
  });

  it('the full-width form logs in as bob (POST /session, POST /login); a new full-width login is stored plain', async () => {
    const s = await request(h.app)
      .post('/cb/session.json')
      .send(signedBody(h.clock, { user: { login: 'ｂｏｂ', password: PASSWORD } }))
      .expect(201);
    expect(s.body.session.user_id).toBe(bobId);
    const app = await request(h.app).post('/cb/session.json').send(signedBody(h.clock)).expect(201);
    const login = await request(h.app)
      .post('/cb/login.json')
      .set('CB-Token', app.body.session.token)
      .send({ login: 'ＢＯＢ', password: PASSWORD })
      .expect(200);
    expect(login.body.user.id).toBe(bobId);
    const created = await request(h.app)
      .post('/cb/users.json')
      .set('CB-AuthKey', 'AKEY')
      .send({ user: { login: 'ｍａｒｙ', password: PASSWORD } })
      .expect(201);
    expect(created.body.user.login).toBe('mary');
  });

  it('a provider subject that cannot make a login is refused in CB’s shape, before any user is created', async () => {
    await h.close();
    h = harness(ts, { providers: { custom: async () => ({ subject: 'eve@example.com' }) } });
    const res = await request(h.app)
      .post('/cb/session.json')
      .send(signedBody(h.clock, { provider: 'custom', keys: { token: 't' } }));
    expect([res.status, res.body]).toEqual([422, { errors: { login: ['cannot contain @'] } }]);
    expect(await h.auth.accounts.findByLogin('custom_eve@example.com')).toBeNull();
  });
});
