import request from 'supertest';
import { buildDemo } from '../../../examples/quickstart/app';
import { FAST_HASHING } from '../../../test-support/fast';
import { passwordDigest } from '../src';
import { csrfOf } from './oauth-helpers';

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
      await demo.mailsSent(); // lostpassword mails after its reply
      expect(lines.some((l) => l.startsWith('mail to bob@example.com (reset): code='))).toBe(true);
    } finally {
      await demo.auth.close();
    }
  });

  it('mounts OAuth with the demo client: authorize page → code on localhost → oauth2_token → access_token', async () => {
    const lines: string[] = [];
    const demo = await buildDemo({ hashing: FAST_HASHING, log: (l) => lines.push(l) });
    try {
      const secret = /client_id=demo-app client_secret=(\S+) \(generated\)/.exec(lines.join('\n'))?.[1];
      expect(secret).toBeDefined();
      const q = { client_id: 'demo-app', response_type: 'code', redirect_uri: `http://localhost:${process.env.PORT ?? 3000}/` };
      const page = await request(demo.app).get('/pcloud/oauth2/authorize').query(q);
      expect(page.status).toBe(200);
      expect(page.text).toContain('authmount demo app');
      const pair = csrfOf(page);
      const res = await request(demo.app)
        .post('/pcloud/oauth2/authorize')
        .type('form')
        .set('Cookie', pair.cookie)
        .send({ ...q, csrf: pair.field, decision: 'allow', username: 'alice@example.com', password: 'correct horse battery staple' });
      expect(res.status).toBe(303);
      const code = new URL(res.headers.location as string).searchParams.get('code')!;
      const token = await request(demo.app).get('/pcloud/oauth2_token').query({ client_id: 'demo-app', client_secret: secret!, code });
      expect(token.body).toMatchObject({ result: 0, token_type: 'bearer' });
      const info = await request(demo.app).get('/pcloud/userinfo').set('Authorization', `Bearer ${token.body.access_token}`);
      expect(info.body).toMatchObject({ result: 0, email: 'alice@example.com' });
    } finally {
      await demo.auth.close();
    }
  });
});
