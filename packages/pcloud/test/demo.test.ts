import request from 'supertest';
import { buildDemo } from '../../../examples/quickstart/app';
import { FAST_HASHING } from '../../../test-support/fast';
import { passwordDigest } from '../src';

describe('the quick-start demo mounts the adapter at /pcloud', () => {
  it('logs a demo user in with pCloud parameters, does digest login, and logs mail instead of sending it', async () => {
    const lines: string[] = [];
    const demo = await buildDemo({ hashing: FAST_HASHING, log: (l) => lines.push(l) });
    try {
      const app = demo.app;
      const r = await request(app)
        .get('/pcloud/userinfo')
        .query({ username: 'alice@example.com', password: 'correct horse battery staple', getauth: 1 });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ result: 0, email: 'alice@example.com', auth: expect.any(String) });
      const list = await request(app).get('/pcloud/listtokens').set('Cookie', `auth=${r.body.auth}`);
      expect(list.body.tokens.length).toBeGreaterThanOrEqual(1);
      // The first password login stored the encrypted copy, so digest login now works too.
      const d = (await request(app).get('/pcloud/getdigest')).body.digest as string;
      const dl = await request(app)
        .get('/pcloud/userinfo')
        .query({
          username: 'alice@example.com',
          digest: d,
          passworddigest: passwordDigest('correct horse battery staple', 'alice@example.com', d),
        });
      expect(dl.body).toMatchObject({ result: 0, email: 'alice@example.com' });
      await request(app).get('/pcloud/lostpassword').query({ mail: 'bob@example.com' }).expect(200);
      expect(lines.some((l) => l.startsWith('mail to bob@example.com (reset): code='))).toBe(true);
    } finally {
      await demo.auth.close();
    }
  });
});
