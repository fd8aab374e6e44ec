import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { describeWithPrivatePostgres, startPostgresServer, type PostgresServer } from '../../../test-support/postgres';

/**
 * PostgreSQL goes away (a real fast shutdown of a private server: every connection is terminated) and
 * comes back (started again on the same port and data directory); PostgreSQL stalls (every process of
 * the private server frozen with SIGSTOP) and wakes up. Throughout, the server process answers 503
 * (fail closed), never crashes, never leaves an unhandled rejection, and serves 200 again on its own,
 * with the token it issued before.
 */
describeWithPrivatePostgres('postgres outage: fail closed, no crash, recover on its own', () => {
  let pg: PostgresServer;
  let child: ChildProcess;
  let base: string;
  let token: string;

  beforeAll(async () => {
    pg = await startPostgresServer();
    child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'outage-server.ts')], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { ...process.env, PG_URL: pg.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await new Promise<{ port: number; token: string }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { port: number; token: string });
      });
      child.once('exit', (code) => reject(new Error(`outage server exited early (${code})`)));
    });
    base = `http://127.0.0.1:${ready.port}`;
    token = ready.token;
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await pg?.close();
  });

  const files = () => request(base).get('/files').set('Authorization', `Bearer ${token}`);

  /** Wait (bounded) for the server to reconnect by itself: no request in the test triggers anything else. */
  async function until200(): Promise<void> {
    const deadline = Date.now() + 20_000;
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
    expect(stats.body).toMatchObject({ unhandled: 0, uncaught: 0, inFlight: 0, waiting: 0 });
  }

  it('serves 200 while PostgreSQL is up', async () => {
    const res = await files();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: 1 });
  });

  it('answers 503 store_unavailable while PostgreSQL is stopped, then 200 with the same token after a restart', async () => {
    await pg.stop();
    for (let i = 0; i < 5; i++) {
      const res = await files();
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('store_unavailable');
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
    }
    const burst = await Promise.all(Array.from({ length: 20 }, () => files()));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(503));

    await pg.start(); // same port, same data directory: the token row is still there
    await until200();
    expect((await files()).body).toEqual({ userId: 1 });
    await expectHealthyProcess();
  });

  it('answers 503 while PostgreSQL stalls past the statement deadline, and 200 once it answers again', async () => {
    // Every process of the private server (postmaster and its children), by pid: nothing else is touched.
    const postmaster = Number(readFileSync(join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = spawnSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
    const pids = [postmaster, ...children];
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      const stalled = await Promise.all(Array.from({ length: 5 }, () => files()));
      expect(stalled.map((r) => r.status)).toEqual(Array(5).fill(503));
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    await until200();
    await expectHealthyProcess();
  });
});
