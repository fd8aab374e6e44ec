import { manualClock, type ManualClock } from '@authmount/core';
import { createAuth, type Auth } from '@authmount/express';
import { redisStore } from '@authmount/store-redis';
import express from 'express';
import Redis from 'ioredis';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../../../test-support/redis';

const MIN = 60_000;
const HOUR = 60 * MIN;

interface Seen {
  name: string;
  source: string;
}

/**
 * Counts what reaches Redis per authenticated request with MONITOR on a private server (only this test's
 * connections exist). MONITOR also shows the commands a script runs, tagged "lua": those are not round
 * trips, and they prove the slide (HSET + PEXPIRE) happened inside the one script.
 */
describeWithRedisServer('one Redis command per authenticated request', () => {
  let server: RedisServer;
  let auth: Auth;
  let clock: ManualClock;
  let app: express.Express;
  let monitor: Redis;
  let admin: Redis;
  let seen: Seen[] = [];
  let markers = 0;

  beforeAll(async () => {
    server = await startRedisServer();
    clock = manualClock(Date.now());
    auth = createAuth({
      store: redisStore({ url: server.url, prefix: 'count:', clock }),
      clock,
      hashing: FAST_HASHING,
      tokens: { idleTtl: HOUR, absoluteTtl: 24 * HOUR },
    });
    app = express();
    app.get('/files', auth.requireAuth(), (_req, res) => {
      res.json({ ok: true });
    });
    admin = new Redis(server.url);
    // monitor() opens its own connection; the lazy source never connects.
    monitor = await new Redis(server.url, { lazyConnect: true }).monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      seen.push({ name: String(args[0]).toLowerCase(), source: source === 'lua' ? 'lua' : 'client' });
      if (String(args[0]).toLowerCase() === 'echo') seen[seen.length - 1].name = `echo:${args[1]}`;
    });
  });

  afterAll(async () => {
    await auth?.close();
    monitor?.disconnect(); // a monitoring connection takes no QUIT
    await admin?.quit();
    await server?.close();
  });

  /** Everything Redis executed since the last call, up to a marker the monitor is guaranteed to see last. */
  async function drain(): Promise<Seen[]> {
    const marker = `marker-${++markers}`;
    const arrived = new Promise<void>((resolve) => {
      const check = () => {
        if (seen.some((s) => s.name === `echo:${marker}`)) {
          monitor.off('monitor', check);
          resolve();
        }
      };
      monitor.on('monitor', check);
    });
    await admin.echo(marker);
    await arrived;
    const out = seen.filter((s) => !s.name.startsWith('echo:'));
    seen = [];
    return out;
  }
  const roundTrips = (s: Seen[]) => s.filter((c) => c.source === 'client').map((c) => c.name);
  const insideScripts = (s: Seen[]) => s.filter((c) => c.source === 'lua').map((c) => c.name);

  it('sends exactly one EVALSHA per request, sliding included; EVAL once only when the script cache was flushed', async () => {
    const { token, info } = await auth.tokens.issue({ userId: 5 });
    const get = () => request(app).get('/files').set('Authorization', `Bearer ${token}`);

    await admin.call('SCRIPT', 'FLUSH');
    await drain();
    // First request on an empty script cache: EVALSHA answers NOSCRIPT, EVAL runs (and caches) it.
    expect((await get()).status).toBe(200);
    expect(roundTrips(await drain())).toEqual(['evalsha', 'eval']);

    await admin.call('CONFIG', 'RESETSTAT');
    await drain();
    for (let i = 1; i <= 5; i++) {
      clock.advance(20 * MIN);
      expect((await get()).status).toBe(200);
      const commands = await drain();
      expect(roundTrips(commands)).toEqual(['evalsha']);
      // Validate (HGETALL) and slide (HSET lastUsedAt/idleExpiresAt, PEXPIRE) all ran inside that one script.
      expect(insideScripts(commands)).toEqual(['hgetall', 'hset', 'pexpire']);
    }
    const stats = (await admin.info('commandstats')).split('\r\n');
    expect(stats.find((l) => l.startsWith('cmdstat_evalsha:'))).toMatch(/^cmdstat_evalsha:calls=5,/);
    expect(stats.some((l) => l.startsWith('cmdstat_eval:'))).toBe(false);

    // The slide really happened: one hour of idle time counted from the last request.
    const now = await auth.tokens.get(info.id);
    expect(now).toMatchObject({ lastUsedAt: clock(), idleExpiresAt: clock() + HOUR });
  });

  it('a rejected credential costs one command too, and a malformed one costs none', async () => {
    const { token } = await auth.tokens.issue({ userId: 6 });
    await drain();
    const wrong = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await request(app).get('/files').set('Authorization', `Bearer ${wrong}`)).status).toBe(401);
    expect(roundTrips(await drain())).toEqual(['evalsha']);
    expect((await request(app).get('/files').set('Authorization', 'Bearer not-a-token')).status).toBe(401);
    expect(roundTrips(await drain())).toEqual([]);
  });
});
