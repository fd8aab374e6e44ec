/**
 * Child process of `bench/hotpath.ts`: ONE bench server in this process, and a fixed loop of
 * sequential keep-alive requests to it from this same process.
 *
 *   node --import tsx bench/lib/hotpath.ts <servers/name> <requests> <warm-up requests> <ctx-json>
 *
 * Prints one JSON line (`HotpathResult`) on stdout. Nothing here depends on time or on the machine's
 * load: the request loop is the same for every server (same client, same sockets, same reply), so the
 * difference between two servers' instruction counts (valgrind --tool=callgrind around this process) is
 * the cost of their guard alone. The CPU µs figure (process.cpuUsage) is the quick, load-sensitive one.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import Redis from 'ioredis';
import { served } from './server-kit';
import type { ReqSpec, ServerContext, ServerDef } from './types';

export interface HotpathResult {
  server: string;
  requests: number;
  warm: number;
  /** Process CPU time (user + system, all threads) of the measured loop, µs per request. */
  cpuUsPerReq: number;
  wallMs: number;
  /** The tree whose packages/ were loaded (a compared commit's, or this one). */
  libRoot: string | null;
  /** Redis `INFO commandstats` over the measured loop (all nodes summed): calls and usec per command. */
  redis?: Record<string, { calls: number; usec: number }>;
}

/** Hot credentials used by the loop, spread over the seeded ones (as the throughput series does). */
const HOT = 200;

function get(agent: Agent, port: number, r: ReqSpec): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: r.path, method: r.method ?? 'GET', headers: r.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

async function commandStats(clients: Redis[]): Promise<Record<string, { calls: number; usec: number }>> {
  const out: Record<string, { calls: number; usec: number }> = {};
  for (const c of clients) {
    const text = await c.info('commandstats');
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
      if (['info', 'config', 'ping', 'cluster', 'select', 'client'].includes(m[1].split('|')[0])) continue;
      const o = (out[m[1]] ??= { calls: 0, usec: 0 });
      o.calls += Number(m[2]);
      o.usec += Number(m[3]);
    }
  }
  return out;
}

const sync = process.env.HOTPATH_SYNC === '1';
const lines: string[] = [];
let waiting: (() => void) | undefined;
if (sync) {
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    lines.push(...chunk.split('\n').filter(Boolean));
    waiting?.();
  });
}

/** Tell the orchestrator where we are (stdout line) and wait for its go-ahead (a stdin line). */
async function handshake(what: string): Promise<void> {
  process.stdout.write(`${what}\n`);
  while (lines.length === 0) await new Promise<void>((r) => (waiting = r));
  lines.shift();
}

async function main(): Promise<void> {
  const [name, nArg, warmArg, ctxJson] = process.argv.slice(2);
  const n = Number(nArg);
  const warm = Number(warmArg);
  const ctx = JSON.parse(ctxJson) as ServerContext;
  const mod = (await import(path.join(__dirname, '..', name))) as { default: ServerDef | { default: ServerDef } };
  const def = ('start' in mod.default ? mod.default : mod.default.default) as ServerDef;
  const started = await def.start(ctx);
  const server = createServer({ keepAlive: true }, started.handler);
  // Under valgrind the pauses around the measured loop can outlast the default 5 s keep-alive timeout.
  server.keepAliveTimeout = 600_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const creds = started.credentials;
  const hot = Array.from(
    { length: Math.min(HOT, creds.length) },
    (_, j) => creds[Math.floor((j * creds.length) / Math.min(HOT, creds.length))],
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const loop = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const status = await get(agent, port, hot[i % hot.length].request);
      if (status !== 200) throw new Error(`${name}: request ${i} answered ${status}`);
    }
  };
  await loop(warm);
  const redis: Redis[] = ctx.redisUrl
    ? [new Redis(ctx.redisUrl)]
    : ctx.clusterNodes
      ? ctx.clusterNodes.map((node) => new Redis({ host: node.host, port: node.port }))
      : [];
  await Promise.all(redis.map((c) => c.config('RESETSTAT')));
  // A full collection first (node runs with --expose-gc here), so that no major GC of the seeding's
  // garbage falls into the window: with --predictable-gc-schedule the loop then sees only its own work.
  (globalThis as { gc?: () => void }).gc?.();
  // Under callgrind the orchestrator switches instruction counting on for the measured loop only.
  if (sync) await handshake('ready');
  const servedBefore = served.count;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await loop(n);
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  if (sync) await handshake('done');
  if (served.count - servedBefore !== n)
    throw new Error(`${name}: ${n - (served.count - servedBefore)} request(s) did not reach the handler`);
  const result: HotpathResult = {
    server: path.basename(name),
    requests: n,
    warm,
    cpuUsPerReq: (c1.user + c1.system) / n,
    wallMs: Number(t1 - t0) / 1e6,
    libRoot:
      Object.keys(require.cache)
        .map((f) => /^(.*)\/packages\/core\/src\//.exec(f)?.[1])
        .find((x) => x !== undefined) ?? null,
    redis: redis.length ? await commandStats(redis) : undefined,
  };
  for (const c of redis) c.disconnect();
  agent.destroy();
  server.closeAllConnections();
  server.close();
  await started.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Redis clients of the server may linger (cluster refresh timers): the result is out, so leave.
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`hotpath: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
