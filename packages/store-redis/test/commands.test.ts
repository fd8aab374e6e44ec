import { manualClock, type ManualClock } from '@authmount/core';
import { createAuth, type Auth } from '@authmount/express';
import { redisStore } from '@authmount/store-redis';
import express from 'express';
import Redis from 'ioredis';
import { connect, type Socket } from 'node:net';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../../../test-support/redis';

const MIN = 60_000;
const HOUR = 60 * MIN;

interface Seen {
  name: string;
  source: 'client' | 'lua';
}

/**
 * MONITOR over a plain socket: after "+OK", Redis sends one simple-string line per command it executes,
 * `+<time> [<db> <client address | lua>] "<command>" "<arg>" …` (arguments escaped, so a line never holds a
 * raw CR or LF). A client library's monitor mode is not used: under load ioredis' MONITOR connection fails
 * with "Command queue state error" and keeps jest from exiting.
 */
class Monitor {
  readonly seen: Seen[] = [];
  private buffer = '';
  private listeners = new Set<(line: string) => void>();

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\r\n')) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 2);
        this.onLine(line);
      }
    });
  }

  static async open(port: number): Promise<Monitor> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined); // a closed server at teardown is not an error of the test
    const m = new Monitor(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => socket.write('MONITOR\r\n'));
      m.listeners.add(function ok(line) {
        m.listeners.delete(ok);
        if (line === '+OK') resolve();
        else reject(new Error(`MONITOR answered ${line}`));
      });
    });
    return m;
  }

  private onLine(line: string): void {
    const m = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "((?:[^"\\]|\\.)*)"(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
    if (m) {
      const name = m[2]!.toLowerCase();
      this.seen.push({ name: name === 'echo' ? `echo:${m[3]}` : name, source: m[1] === 'lua' ? 'lua' : 'client' });
    }
    for (const l of [...this.listeners]) l(line);
  }

  /** Resolves when a line containing `text` arrives. */
  until(text: string): Promise<void> {
    return new Promise((resolve) => {
      const check = (line: string) => {
        if (line.includes(text)) {
          this.listeners.delete(check);
          resolve();
        }
      };
      this.listeners.add(check);
    });
  }

  close(): void {
    this.socket.destroy();
  }
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
  let monitor: Monitor;
  let admin: Redis;
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
    monitor = await Monitor.open(server.port);
  });

  afterAll(async () => {
    await auth?.close();
    monitor?.close();
    await admin?.quit();
    await server?.close();
  });

  /** Everything Redis executed since the last call, up to a marker the monitor is guaranteed to see last. */
  async function drain(): Promise<Seen[]> {
    const marker = `marker-${++markers}`;
    const arrived = monitor.until(`"echo" "${marker}"`);
    await admin.echo(marker);
    await arrived;
    return monitor.seen.splice(0).filter((s) => !s.name.startsWith('echo:'));
  }
  const roundTrips = (s: Seen[]) => s.filter((c) => c.source === 'client').map((c) => c.name);
  const insideScripts = (s: Seen[]) => s.filter((c) => c.source === 'lua').map((c) => c.name);

  it('sends exactly one EVALSHA per request, sliding included (no write within the slide granularity); EVAL once only when the script cache was flushed', async () => {
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
      // Validate (HMGET) and slide (HSET lastUsedAt/idleExpiresAt, PEXPIRE) all ran inside that one script.
      expect(insideScripts(commands)).toEqual(['hmget', 'hset', 'pexpire']);
    }
    // Within the slide granularity (1 % of the idle window, at most 1 s) the script writes nothing...
    clock.advance(999);
    expect((await get()).status).toBe(200);
    let commands = await drain();
    expect(roundTrips(commands)).toEqual(['evalsha']);
    expect(insideScripts(commands)).toEqual(['hmget']);
    expect(await auth.tokens.get(info.id)).toMatchObject({ lastUsedAt: clock() - 999, idleExpiresAt: clock() - 999 + HOUR });
    // ...and once the deadline would move by the granularity, it slides again.
    clock.advance(1);
    expect((await get()).status).toBe(200);
    commands = await drain();
    expect(insideScripts(commands)).toEqual(['hmget', 'hset', 'pexpire']);
    const stats = (await admin.info('commandstats')).split('\r\n');
    expect(stats.find((l) => l.startsWith('cmdstat_evalsha:'))).toMatch(/^cmdstat_evalsha:calls=7,/);
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
