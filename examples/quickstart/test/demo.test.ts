import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { spawnDemo } from '../../../test-support/demo-procs';
import { FAST_HASHING } from '../../../test-support/fast';
import { buildDemo } from '../app';

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

describe('quick-start demo', () => {
  it('serves /me for the printed demo token and 401 without one', async () => {
    const lines: string[] = [];
    const demo = await buildDemo({ hashing: FAST_HASHING, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toContain(demo.token);
    await request(demo.app)
      .get('/me')
      .set('Authorization', `Bearer ${demo.token}`)
      .expect(200)
      .expect((r) => {
        expect(r.body).toMatchObject({ login: 'alice', kind: 'user' });
      });
    await request(demo.app).get('/me').expect(401);
    await demo.auth.close();
  });

  it('`npm start` (tsx examples/quickstart/server.ts) listens on PORT and prints a working token', async () => {
    const port = await freePort();
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'examples/quickstart/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('listening on')) resolve();
        });
        child.on('exit', (c) => reject(new Error(`demo exited with ${c}: ${out}`)));
      });
      const token = /Bearer ([^"\s]+)/.exec(out)![1];
      await request(`http://127.0.0.1:${port}`).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
      await request(`http://127.0.0.1:${port}`).get('/me').expect(401);
      await request(`http://127.0.0.1:${port}`).get('/health/ready').expect(200);
      // SIGTERM (through the tsx wrapper): graceful shutdown, exit 0.
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
      expect(out).toContain('shutdown: drained');
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  });

  // With a shared store, secrets generated per process would differ between processes (issue 19): refuse.
  it.each([
    ['REDIS_URL', { REDIS_URL: 'redis://127.0.0.1:1' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: '127.0.0.1:1,127.0.0.1:2' }],
  ])('with %s set, refuses to start without the shared secrets, naming the missing ones (and no value)', async (name, storeEnv) => {
    const given = { CB_AUTH_SECRET: 'given-secret-value-123', PCLOUD_DIGEST_KEY: 'ab'.repeat(32) };
    const demo = spawnDemo('demo', await freePort(), { ...storeEnv, ...given });
    expect((await demo.exited()).code).toBe(1);
    const out = demo.output();
    expect(out).toContain(`demo failed to start: ${name} is set`);
    expect(out).toContain('(missing: CB_APPLICATION_ID, CB_AUTH_KEY, PCLOUD_OAUTH_SECRET)');
    expect(out).not.toContain(given.CB_AUTH_SECRET);
    expect(out).not.toContain(given.PCLOUD_DIGEST_KEY);
    expect(out).not.toContain('listening');
  });
});
