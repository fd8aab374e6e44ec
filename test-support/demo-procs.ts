import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * The quick-start demo (`examples/quickstart/server.ts`) as real child processes, for multi-process tests:
 * `node --import tsx` (one process each, no tsx wrapper in between, so a signal reaches the server itself),
 * on free ports, with an environment built from scratch on top of the test's (no REDIS_URL, CB_* or
 * PCLOUD_* leaks in from the shell). Every child is killed when the test process exits, whatever happens;
 * call `killDemos()` in afterAll to do it earlier.
 */

const ROOT = path.resolve(__dirname, '..');
const SERVER = 'examples/quickstart/server.ts';

/** Variables the demo reads: cleared from the inherited environment, so only what a test passes applies. */
const DEMO_VARS = [
  'PORT',
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'REDIS_PREFIX',
  'CB_APPLICATION_ID',
  'CB_AUTH_KEY',
  'CB_AUTH_SECRET',
  'CB_ALLOW_UNSIGNED',
  'PCLOUD_OAUTH_SECRET',
  'PCLOUD_DIGEST_KEY',
  'PUBLIC_URL',
  'TRUST_PROXY',
  'SHUTDOWN_DRAIN_MS',
];

export interface DemoProcess {
  readonly label: string;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  /** Everything it wrote so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves when it exits (at once if it already did). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when its output matches `re` (bounded; rejects with the output if it exits or times out first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  kill(signal?: NodeJS.Signals): void;
}

const children = new Set<ChildProcess>();
let hooked = false;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Spawn one demo process (it is not listening yet: `waitFor(/listening on/)`, or use `startDemo`). */
export function spawnDemo(label: string, port: number, env: Record<string, string>): DemoProcess {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const v of DEMO_VARS) delete base[v];
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: ROOT,
    env: { ...base, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    changed();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    changed();
  });
  const exitedP = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      exit = { code, signal };
      resolve(exit);
      changed();
    });
  });
  return {
    label,
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output: () => out,
    exited: () => exitedP,
    waitFor: (re, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${label}: no ${re} within ${timeoutMs} ms. Output:\n${out}`)), timeoutMs);
        const check = () => {
          const m = re.exec(out);
          if (m) return done(null, m);
          if (exit) done(new Error(`${label} exited (${exit.code ?? exit.signal}) before ${re}. Output:\n${out}`));
        };
        const done = (err: Error | null, m?: RegExpExecArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(m!);
        };
        listeners.add(check);
        check();
      }),
    kill: (signal = 'SIGTERM') => {
      if (!exit) child.kill(signal);
    },
  };
}

/** Spawn and wait until it listens. */
export async function startDemo(label: string, port: number, env: Record<string, string>): Promise<DemoProcess> {
  const d = spawnDemo(label, port, env);
  await d.waitFor(/listening on/);
  return d;
}

/** SIGKILL every demo still running and wait for them to be gone. */
export async function killDemos(): Promise<void> {
  const waits = [...children].map(
    (c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()))),
  );
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(waits);
}
