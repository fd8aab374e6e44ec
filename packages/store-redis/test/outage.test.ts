import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../../../test-support/redis';

/**
 * Redis goes away (stopped) and comes back (restarted on the same port, same data); Redis stalls (frozen
 * with SIGSTOP) and wakes up. Throughout, the server process answers 503 (fail closed), never crashes,
 * never leaves an unhandled rejection, and serves 200 again on its own.
 */
describeWithRedisServer('redis outage: fail closed, no crash, recover on its own', () => {
  let redis: RedisServer;
  let child: ChildProcess;
  let base: string;
  let token: string;
  let ioredisPath: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    const root = join(__dirname, '..', '..', '..');
    // Under the `ioredis5` jest project the child loads ioredis 5 as well (jest.config.ts).
    const alias = process.env.AUTHMOUNT_TEST_IOREDIS === 'ioredis5' ? ['--require', join(root, 'test-support', 'ioredis5-alias.cjs')] : [];
    child = spawn(process.execPath, [...alias, '--import', 'tsx', join(__dirname, 'fixtures', 'outage-server.ts')], {
      cwd: root,
      env: { ...process.env, REDIS_URL: redis.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await new Promise<{ port: number; token: string; ioredis: string }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { port: number; token: string; ioredis: string });
      });
      child.once('exit', (code) => reject(new Error(`outage server exited early (${code})`)));
    });
    ioredisPath = ready.ioredis;
    base = `http://127.0.0.1:${ready.port}`;
    token = ready.token;
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await redis?.close();
  });

  const files = () => request(base).get('/files').set('Authorization', `Bearer ${token}`);

  /** Wait (bounded) for the server to reconnect by itself: no request in the test triggers it. */
  async function until200(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await files();
      if (res.status === 200) return;
      expect(res.status).toBe(503);
      if (Date.now() > deadline) throw new Error('did not recover');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function expectHealthyProcess(): Promise<void> {
    expect(child.exitCode).toBeNull();
    const stats = await request(base).get('/stats');
    expect(stats.body).toMatchObject({ unhandled: 0, uncaught: 0, status: 'ready', commandQueue: 0, inFlight: 0 });
  }

  it('serves 200 while Redis is up', async () => {
    // The server process runs on the ioredis major of this jest project (6, or 5 under `ioredis5`).
    expect(ioredisPath).toMatch(
      process.env.AUTHMOUNT_TEST_IOREDIS === 'ioredis5' ? /\/node_modules\/ioredis5\// : /\/node_modules\/ioredis\//,
    );
    const res = await files();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: 1 });
  });

  it('answers 503 store_unavailable while Redis is stopped, then 200 again after a restart', async () => {
    await redis.stop();
    for (let i = 0; i < 5; i++) {
      const res = await files();
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('store_unavailable');
      expect(res.headers['retry-after']).toBe('1');
    }
    // Many requests at once while down: each fails on its own, nothing piles up.
    const burst = await Promise.all(Array.from({ length: 20 }, () => files()));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(503));

    await redis.start(); // same port, same data (it saved on stop); the script cache is empty now
    await until200();
    await expectHealthyProcess();
  });

  it('answers 503 when Redis stalls past the command timeout, and 200 once it answers again', async () => {
    redis.pause();
    try {
      const stalled = await Promise.all(Array.from({ length: 5 }, () => files()));
      expect(stalled.map((r) => r.status)).toEqual(Array(5).fill(503));
    } finally {
      redis.resume();
    }
    await until200();
    await expectHealthyProcess();
  });
});
