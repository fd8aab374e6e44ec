import request from 'supertest';
import { cbAppFromEnv } from '@authmount/cb-token';
import { buildDemo } from '../../../examples/quickstart/app';
import { FAST_HASHING } from '../../../test-support/fast';
import { v3Sign } from './helpers';

const VARS = ['CB_APPLICATION_ID', 'CB_AUTH_KEY', 'CB_AUTH_SECRET', 'CB_ALLOW_UNSIGNED'] as const;

describe('the quick-start demo mounts CB-Token at /cb', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const v of VARS) {
      saved[v] = process.env[v];
      delete process.env[v];
    }
  });
  afterEach(() => {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  });

  it('without environment: generates the application and prints its credentials through log', async () => {
    const lines: string[] = [];
    const demo = await buildDemo({ log: (l) => lines.push(l), hashing: FAST_HASHING });
    try {
      const line = lines.find((l) => l.startsWith('CB-Token app:'));
      expect(line).toBeDefined();
      const m = /application_id=(\S+) auth_key=(\S+) auth_secret=(\S+)/.exec(line!)!;
      const body: Record<string, unknown> = {
        application_id: Number(m[1]),
        auth_key: m[2],
        nonce: 1,
        timestamp: Math.floor(Date.now() / 1000),
      };
      body.signature = v3Sign(body, m[3]);
      const res = await request(demo.app).post('/cb/session.json').send(body).expect(201);
      expect(res.body.session.application_id).toBe(Number(m[1]));
      // Unsigned requests are refused unless CB_ALLOW_UNSIGNED=1.
      await request(demo.app)
        .post('/cb/session.json')
        .send({ application_id: Number(m[1]), auth_key: m[2] })
        .expect(422);
    } finally {
      await demo.auth.close();
    }
  });

  it('with CB_APPLICATION_ID, CB_AUTH_KEY, CB_AUTH_SECRET and CB_ALLOW_UNSIGNED=1: uses them and prints no secret', async () => {
    Object.assign(process.env, {
      CB_APPLICATION_ID: '4242',
      CB_AUTH_KEY: 'demo-key',
      CB_AUTH_SECRET: 'demo-secret-of-16-chars-or-more',
      CB_ALLOW_UNSIGNED: '1',
    });
    const lines: string[] = [];
    const demo = await buildDemo({ log: (l) => lines.push(l), hashing: FAST_HASHING });
    try {
      expect(lines.join('\n')).not.toContain('demo-secret');
      const res = await request(demo.app)
        .post('/cb/session.json')
        .send({ application_id: 4242, auth_key: 'demo-key', user: { login: 'alice', password: 'correct horse battery staple' } })
        .expect(201);
      expect(res.body.session.user.login).toBe('alice');
      const me = await request(demo.app).get('/cb/session.json').set('CB-Token', res.body.session.token).expect(200);
      expect(me.body.session.user_id).toBe(res.body.session.user_id);
    } finally {
      await demo.auth.close();
    }
  });

  it('cbAppFromEnv generates only what is missing', () => {
    const a = cbAppFromEnv({ CB_APPLICATION_ID: '5', CB_AUTH_KEY: 'k' });
    expect(a.app).toMatchObject({ applicationId: 5, authKey: 'k', allowUnsigned: false });
    expect(a.generated).toEqual(['CB_AUTH_SECRET']);
    const b = cbAppFromEnv({});
    expect(b.generated).toEqual(['CB_APPLICATION_ID', 'CB_AUTH_KEY', 'CB_AUTH_SECRET']);
    expect(b.app.authKey).toMatch(/^[A-Za-z0-9]{15}$/);
    expect(cbAppFromEnv({}).app.authSecret).not.toBe(b.app.authSecret);
  });
});
