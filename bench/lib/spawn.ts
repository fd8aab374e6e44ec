import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export interface SpawnOpts {
  /** Pin the process (and its threads) to this CPU with taskset. */
  cpu?: number;
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof, --expose-gc. */
  nodeFlags?: string[];
  /** Working directory (the tree whose tsconfig resolves @authmount/*). Default: this repository. */
  cwd?: string;
}

/**
 * Start a TypeScript file in a fresh node process with an IPC channel. `node --import tsx` (not the tsx
 * CLI, which adds a wrapper process) so that the child's pid is the process doing the work: its
 * /proc CPU counters are what we read. taskset execs node in place, so the pid stays the same.
 */
export function spawnTs(file: string, args: string[], opts: SpawnOpts = {}): ChildProcess {
  const nodeArgs = [...(opts.nodeFlags ?? []), '--import', 'tsx', path.resolve(file), ...args];
  const [cmd, argv] =
    opts.cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', String(opts.cpu), process.execPath, ...nodeArgs]];
  const child = spawn(cmd, argv, {
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd ?? path.resolve(__dirname, '..', '..'),
  });
  // Forward the child's stderr, minus express-session's known MemoryStore warning (the bench measures
  // that store on purpose).
  let buf = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    buf += chunk;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) if (!QUIET.some((q) => l.includes(q))) process.stderr.write(`${l}\n`);
  });
  return child;
}

const QUIET = ['connect.session() MemoryStore is not', 'designed for a production environment', 'memory, and will not scale past a single'];

/** The next IPC message matching `pred`, or a rejection on exit / timeout. */
export function nextMessage<T>(child: ChildProcess, pred: (m: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: T) => {
      if (!pred(m)) return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${what}: process exited (${code}) before answering`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMsg as (m: unknown) => void);
      child.off('exit', onExit);
    };
    child.on('message', onMsg as (m: unknown) => void);
    child.on('exit', onExit);
  });
}

/** Stop a child we started: ask politely over IPC, then SIGKILL it (by its own pid) if it lingers. */
export async function stopChild(child: ChildProcess, msg?: unknown): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    if (msg !== undefined && child.connected) child.send(msg as object);
    else child.kill('SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}
