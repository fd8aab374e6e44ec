/**
 * Runs README samples for test/readme-samples.test.ts, all in ONE process (`node --import tsx`, so the
 * packages' sources are compiled once, not once per sample). Each argument is a sample written as a module
 * exporting the promise of its top-level code. They run one after the other; for each, one JSON line:
 *   { "file", "ok", "error"?, "stderr", "ports" }
 * `stderr` is what the sample wrote there while it ran; `ports` are the servers it started (listen() takes
 * a free port instead of the sample's 3000). The servers keep running until this process is killed.
 */
import net from 'node:net';

let current: { stderr: string; ports: number[] } | null = null;

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
  const owner = current;
  this.once('listening', () => owner?.ports.push((this.address() as net.AddressInfo).port));
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) args[0] = 0;
  return (listen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;

const write = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (current) current.stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stderr.write;

async function main(): Promise<void> {
  for (const file of process.argv.slice(2)) {
    current = { stderr: '', ports: [] };
    let ok = true;
    let error: string | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      await (require(file) as { done: Promise<void> }).done;
      await new Promise((r) => setImmediate(r)); // let a server's 'listening' event arrive
    } catch (e) {
      ok = false;
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    process.stdout.write(`${JSON.stringify({ file, ok, error, stderr: current.stderr, ports: current.ports })}\n`);
    current = null;
  }
  process.stdout.write(`${JSON.stringify({ done: true })}\n`);
}

void main();
