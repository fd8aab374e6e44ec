import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { redisStore } from '@authmount/store-redis';
import { FAST_HASHING } from '../../../test-support/fast';
import { buildDemo } from '../app';

/** A port nothing listens on (it was free a moment ago). */
async function deadPort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Redis on a dead port (issue: the demo printed its secrets, then died ~1 s later with no cause). Now it
 * awaits auth.ready() before printing anything and stops with the real cause.
 */
describe('quick-start demo with a Redis that is not there', () => {
  it('buildDemo rejects with the cause before printing a line', async () => {
    const port = await deadPort();
    const lines: string[] = [];
    const store = redisStore({ url: `redis://127.0.0.1:${port}` });
    try {
      await expect(buildDemo({ store, hashing: FAST_HASHING, log: (l) => lines.push(l) })).rejects.toThrow(
        `connect ECONNREFUSED 127.0.0.1:${port}`,
      );
      expect(lines).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('`npm start` with REDIS_URL on a dead port exits 1 naming the cause, and prints no secret', async () => {
    const port = await deadPort();
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'examples/quickstart/server.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        REDIS_URL: `redis://127.0.0.1:${port}`,
        // the shared secrets a store-backed demo requires (see env.ts), so the store check is what fails
        CB_APPLICATION_ID: '10001',
        CB_AUTH_KEY: 'ready-test-auth-key-0001',
        CB_AUTH_SECRET: 'ready-test-auth-secret-01',
        PCLOUD_OAUTH_SECRET: 'ab'.repeat(32),
        PCLOUD_DIGEST_KEY: 'cd'.repeat(32),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain(`demo failed to start: redis connection failed: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(stdout).toBe(''); // no secret, no token, no "listening" before the store answered
    expect(stderr).not.toContain('ready-test-auth-secret-01');
  }, 60_000);
});
