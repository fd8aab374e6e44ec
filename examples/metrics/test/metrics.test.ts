import { manualClock } from '@authmount/core';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import { buildMetricsApp } from '../app';

const PASSWORD = 'correct horse battery staple';

/** The value of one sample line, e.g. value(text, 'authmount_logins_total{result="failed",...}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(testStores())('prom-client metrics on the $name store', ({ make }) => {
  it('counts logins, token uses, rejections and revocations, with no user or token in any label', async () => {
    const clock = manualClock();
    const { app, auth } = buildMetricsApp({
      store: make(clock),
      clock,
      hashing: FAST_HASHING,
      throttle: { ip: { limit: 2, windowMs: 60_000 } },
    });
    try {
      const alice = await auth.accounts.register({ login: 'alice', email: 'alice@example.com', password: PASSWORD });
      await request(app).post('/auth/login').send({ login: 'alice', password: 'wrong password, sorry' }).expect(401);
      const login = await request(app).post('/auth/login').send({ login: 'alice', password: PASSWORD }).expect(201);
      const token = login.body.token as string;
      for (let i = 0; i < 3; i++) await request(app).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
      await request(app).get('/me').set('Authorization', 'Bearer 1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(401);
      await request(app).post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
      await request(app).post('/auth/login').send({ login: 'alice', password: PASSWORD }).expect(201);
      // A second failure fills this address's failure budget of 2: then even the right password is refused.
      await request(app).post('/auth/login').send({ login: 'alice', password: 'wrong password, sorry' }).expect(401);
      await request(app).post('/auth/login').send({ login: 'alice', password: PASSWORD }).expect(429);

      const res = await request(app).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.text;
      expect(value(text, 'authmount_logins_total{result="failed",method="json",reason="wrong_password"}')).toBe(2);
      expect(value(text, 'authmount_logins_total{result="succeeded",method="json",reason=""}')).toBe(2);
      expect(value(text, 'authmount_logins_total{result="throttled",method="json",reason="ip"}')).toBe(1);
      expect(value(text, 'authmount_tokens_issued_total{kind="user"}')).toBe(2);
      expect(value(text, 'authmount_token_authentications_total{kind="user"}')).toBe(4); // 3 × /me + the logout guard
      expect(value(text, 'authmount_token_rejections_total{reason="unknown"}')).toBe(1);
      expect(value(text, 'authmount_tokens_revoked_total{reason="logout"}')).toBe(1);
      expect(value(text, 'authmount_events_total{event="user.registered"}')).toBe(1);
      expect(value(text, 'authmount_password_hash_queue')).toBe(0);
      // Cardinality and secrecy: no token, no token id, no user id, no address in the exposition.
      expect(text).not.toContain(token.split('.')[1]);
      expect(text).not.toMatch(/tokenId|userId|ip="/);
      expect(text).not.toContain(`"${alice.id}"`);
    } finally {
      await auth.close();
    }
  });
});
