import { manualClock } from '@authmount/core';
import express from 'express';
import pino from 'pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { testStores } from '../../../test-support/stores';
import { authRoutes, createAuth, type Auth, type AuthLogger } from '../src';

const PASSWORD = 'correct horse battery staple';
const WRONG = 'not the password at all';

type Call = { level: string; obj: Record<string, unknown>; msg?: string };

function captureLogger(): { logger: AuthLogger; calls: Call[] } {
  const calls: Call[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void calls.push({ level, obj: obj as Record<string, unknown>, msg });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') }, calls };
}

function appFor(auth: Auth) {
  const app = express();
  app.use('/auth', authRoutes(auth));
  app.get('/me', auth.requireAuth(), (req, res) => res.json({ userId: req.auth!.userId }));
  return app;
}

/** Login, failed login, a token use and a logout; returns every secret value the flow handled. */
async function flow(auth: Auth): Promise<string[]> {
  const app = appFor(auth);
  await auth.accounts.register({ login: 'alice', email: 'alice@example.com', password: PASSWORD });
  const hash = (await auth.accounts.findForPasswordCheck('alice'))!.passwordHash!;
  expect(hash).toMatch(/^\$argon2id\$/);
  await request(app).post('/auth/login').send({ login: 'alice', password: WRONG }).expect(401);
  await request(app).post('/auth/login').send({ login: 'nobody', password: WRONG }).expect(401);
  const login = await request(app).post('/auth/login').send({ login: 'alice', password: PASSWORD }).expect(201);
  const token = login.body.token as string;
  await request(app).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
  await request(app)
    .get('/me')
    .set('Authorization', `Bearer ${token.slice(0, -4)}AAAA`)
    .expect(401);
  await request(app).post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
  const secret = token.split('.')[1]!;
  return [token, secret, PASSWORD, WRONG, hash, hash.split('$').pop()!];
}

describe.each(testStores())('logger on the $name store', ({ make }) => {
  let auth: Auth;
  afterEach(() => auth.close());

  it('logs every step of a login, a failed login, a token use and a logout, with nothing secret', async () => {
    const clock = manualClock();
    const { logger, calls } = captureLogger();
    auth = createAuth({ store: make(clock), clock, hashing: FAST_HASHING, logger });
    const secrets = await flow(auth);

    const seen = calls.map((c) => `${c.level} ${String(c.obj.event)}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'info user.registered',
        'warn login.failed',
        'info login.succeeded',
        'info token.issued',
        'debug token.authenticated',
        'info token.rejected',
        'info token.revoked',
      ]),
    );
    const failed = calls.filter((c) => c.obj.event === 'login.failed').map((c) => c.obj.reason);
    expect(failed.sort()).toEqual(['unknown_account', 'wrong_password']);
    const revoked = calls.find((c) => c.obj.event === 'token.revoked')!;
    expect(revoked.obj).toMatchObject({ reason: 'logout', tokenId: expect.stringMatching(/^\d+$/), at: clock() });
    expect(revoked.msg).toBe('authmount token.revoked');

    const everything = JSON.stringify(calls);
    for (const s of secrets) expect(everything).not.toContain(s);
  });

  it('works with pino itself, and a throwing logger never breaks a login', async () => {
    const clock = manualClock();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    auth = createAuth({ store: make(clock), clock, hashing: FAST_HASHING, logger: pino({ level: 'info' }, sink) });
    const secrets = await flow(auth);
    const records = lines
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.event)).toEqual(expect.arrayContaining(['login.failed', 'login.succeeded', 'token.revoked']));
    // level "info": pino drops debug, so the per-request token.authenticated line is not written.
    expect(records.map((r) => r.event)).not.toContain('token.authenticated');
    expect(records.find((r) => r.event === 'login.failed')).toMatchObject({ level: 40, msg: 'authmount login.failed' });
    for (const s of secrets) expect(lines.join('')).not.toContain(s);

    const boom = () => {
      throw new Error('logger down');
    };
    const noisy = createAuth({
      store: make(clock),
      clock,
      hashing: FAST_HASHING,
      logger: { info: boom, warn: boom, error: boom, debug: boom },
    });
    try {
      await noisy.accounts.register({ login: 'bob', email: 'bob@example.com', password: PASSWORD });
      await request(appFor(noisy)).post('/auth/login').send({ login: 'bob', password: PASSWORD }).expect(201);
    } finally {
      await noisy.close();
    }
  });
});
