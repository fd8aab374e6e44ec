import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import request from 'supertest';
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
    await request(demo.app).get('/me').set('Authorization', `Bearer ${demo.token}`).expect(200).expect((r) => {
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
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
