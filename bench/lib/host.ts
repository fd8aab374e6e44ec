/**
 * Child process that runs ONE bench server: `node --import tsx bench/lib/host.ts servers/<name> <ctx-json> <hot>`.
 * It seeds the credentials, listens on a free loopback port and talks to the orchestrator over IPC.
 * It never prints a credential.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as path from 'node:path';
import { served } from './server-kit';
import type { Refusal, ReqSpec, ServerContext, ServerDef, StartedServer } from './types';

export type HostRequest =
  | { type: 'deadline'; index: number; seq: number }
  | { type: 'counts'; seq: number }
  | { type: 'loop-reset' }
  | { type: 'loop'; seq: number }
  /** CPU profile of the measured window only (start-up and seeding left out). */
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string; seq: number }
  | { type: 'stop' };

export type HostReply =
  | {
      type: 'ready';
      port: number;
      describe: string;
      /** The hot credentials, spread evenly over the seeded ones. */
      hot: Array<{ request: ReqSpec; userId: number; index: number }>;
      invalid?: ReqSpec;
      missing?: ReqSpec;
      refusal: Refusal;
      canSlide: boolean;
      seedMs: number;
    }
  | { type: 'deadline'; seq: number; value?: number; error?: string }
  | { type: 'counts'; seq: number; requests: number; served: number }
  /** Event-loop delay since the last loop-reset, ms. */
  | { type: 'loop'; seq: number; p50: number; p99: number; max: number }
  | { type: 'profiled'; seq: number; error?: string }
  | { type: 'error'; message: string };

function send(msg: HostReply): void {
  process.send?.(msg);
}

async function main(): Promise<void> {
  const [name, ctxJson, hotArg] = process.argv.slice(2);
  const ctx = JSON.parse(ctxJson) as ServerContext;
  const hotCount = Number(hotArg);
  const mod = (await import(path.join(__dirname, '..', name))) as { default: ServerDef | { default: ServerDef } };
  // tsx may wrap a CommonJS default export once more.
  const def = ('start' in mod.default ? mod.default : mod.default.default) as ServerDef;
  const t0 = Date.now();
  const started: StartedServer = await def.start(ctx);
  const seedMs = Date.now() - t0;
  let requests = 0;
  const handler = started.handler;
  const server = createServer({ keepAlive: true }, (req, res) => {
    requests++;
    handler(req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const n = started.credentials.length;
  const k = Math.min(hotCount, n);
  const hot = Array.from({ length: k }, (_, j) => {
    const index = Math.floor((j * n) / k);
    return { ...started.credentials[index], index };
  });
  // Only where asked (the login storm): its 1 ms timer would cost the throughput servers a little CPU.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  if (process.env.BENCH_LOOP_MONITOR === '1') loop.enable();
  let profiler: Session | undefined;
  process.on('message', (m: HostRequest) => {
    if (m.type === 'deadline') {
      if (!started.deadline) return send({ type: 'deadline', seq: m.seq, error: 'not supported' });
      started.deadline(m.index).then(
        (value) => send({ type: 'deadline', seq: m.seq, value }),
        (e: unknown) => send({ type: 'deadline', seq: m.seq, error: e instanceof Error ? e.message : String(e) }),
      );
    } else if (m.type === 'counts') {
      send({ type: 'counts', seq: m.seq, requests, served: served.count });
    } else if (m.type === 'loop-reset') {
      loop.reset();
    } else if (m.type === 'loop') {
      send({ type: 'loop', seq: m.seq, p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 });
    } else if (m.type === 'profile-start') {
      profiler ??= new Session();
      profiler.connect();
      profiler.post('Profiler.enable', () => profiler!.post('Profiler.start'));
    } else if (m.type === 'profile-stop') {
      if (!profiler) return send({ type: 'profiled', seq: m.seq, error: 'not started' });
      profiler.post('Profiler.stop', (err, res) => {
        if (!err) writeFileSync(m.file, JSON.stringify(res.profile));
        profiler!.disconnect();
        send({ type: 'profiled', seq: m.seq, error: err ? err.message : undefined });
      });
    } else if (m.type === 'stop') {
      server.closeAllConnections();
      server.close();
      started.close().finally(() => process.exit(0));
      setTimeout(() => process.exit(0), 2000).unref();
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({
    type: 'ready',
    port: (server.address() as AddressInfo).port,
    describe: def.describe,
    hot,
    invalid: started.invalid,
    missing: started.missing,
    refusal: started.refusal ?? { status: 401 },
    canSlide: started.deadline !== undefined,
    seedMs,
  });
}

main().catch((e: unknown) => {
  send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  setTimeout(() => process.exit(1), 100);
});
