/**
 * The load generator, in its own process (`node --import tsx bench/lib/loadgen.ts`, configs over IPC).
 * autocannon, keep-alive connections, pipelining 1. Each connection cycles through its own disjoint
 * slice of the hot requests. Only responses that complete inside the measured window count; the
 * orchestrator is told when the window opens and closes so it can read CPU and Redis counters.
 */
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile, Samples } from './stats';
import type { ReqSpec } from './types';

export interface LoadConfig {
  port: number;
  requests: ReqSpec[];
  connections: number;
  warmMs: number;
  windowMs: number;
  /**
   * Open loop: send this many requests per second at even intervals (not autocannon's per-second
   * bursts), latency counted from the intended send time (no coordinated omission). Unset: closed loop
   * with autocannon, as fast as the server answers.
   */
  paced?: number;
  /** Tell the parent when the window opens/closes (it snapshots counters then). */
  announce: boolean;
}

export interface LoadResult {
  windowMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Non-2xx status counts over the whole run, e.g. {"401": 3}. */
  statuses: Record<string, number>;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  bytesPerResponse: number;
  loadgenCpuMs: number;
}

export type LoadMessage =
  { type: 'window-start' } | { type: 'window-end' } | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };

function run(cfg: LoadConfig): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const lat = new Samples();
    let inWindow = false;
    let ok = 0;
    let non2xx = 0;
    let errors = 0;
    let bytes = 0;
    const statuses: Record<string, number> = {};
    const slices: ReqSpec[][] = Array.from({ length: cfg.connections }, () => []);
    // Disjoint slices when there are enough requests; otherwise every connection reuses them round-robin.
    if (cfg.requests.length >= cfg.connections) cfg.requests.forEach((r, i) => slices[i % cfg.connections].push(r));
    else slices.forEach((s, i) => s.push(cfg.requests[i % cfg.requests.length]));
    let nextSlice = 0;
    let windowStart = 0n;
    let windowEnd = 0n;
    let cpu0 = process.cpuUsage();

    const instance = autocannon(
      {
        url: `http://127.0.0.1:${cfg.port}`,
        connections: cfg.connections,
        pipelining: 1,
        duration: (cfg.warmMs + cfg.windowMs) / 1000 + 30, // stopped explicitly below
        timeout: 30,
        setupClient: (client) => {
          const slice = slices[nextSlice++ % slices.length];
          // Fresh objects per connection: autocannon caches the built buffer on them.
          client.setRequests(
            slice.map((r) => ({ method: r.method ?? 'GET', path: r.path, headers: { ...(r.headers ?? {}) }, body: r.body })),
          );
        },
      },
      (err) => {
        if (err) return reject(err);
        const sorted = lat.sorted();
        const ms = Number(windowEnd - windowStart) / 1e6;
        const cpu = process.cpuUsage(cpu0);
        resolve({
          windowMs: ms,
          ok,
          non2xx,
          errors,
          statuses,
          rps: (ok / ms) * 1000,
          p50: percentile(sorted, 50),
          p90: percentile(sorted, 90),
          p99: percentile(sorted, 99),
          p999: percentile(sorted, 99.9),
          max: sorted.length ? sorted[sorted.length - 1] : NaN,
          bytesPerResponse: ok ? bytes / ok : NaN,
          loadgenCpuMs: (cpu.user + cpu.system) / 1000,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, resBytes: number, responseTime: number) => {
      if (status < 200 || status >= 300) {
        non2xx++;
        statuses[status] = (statuses[status] ?? 0) + 1;
        return;
      }
      if (!inWindow) return;
      ok++;
      bytes += resBytes;
      lat.push(responseTime);
    });
    instance.on('reqError', () => {
      errors++;
    });
    setTimeout(() => {
      inWindow = true;
      windowStart = process.hrtime.bigint();
      cpu0 = process.cpuUsage();
      if (cfg.announce) process.send?.({ type: 'window-start' } satisfies LoadMessage);
      setTimeout(() => {
        inWindow = false;
        windowEnd = process.hrtime.bigint();
        if (cfg.announce) process.send?.({ type: 'window-end' } satisfies LoadMessage);
        instance.stop();
      }, cfg.windowMs);
    }, cfg.warmMs);
  });
}

/** The paced (open-loop) mode: node:http over a keep-alive pool, one request every 1000/rate ms. */
function runPaced(cfg: LoadConfig, rate: number): Promise<LoadResult> {
  return new Promise((resolve) => {
    const agent = new Agent({ keepAlive: true, maxSockets: cfg.connections });
    const lat = new Samples();
    let ok = 0;
    let non2xx = 0;
    let errors = 0;
    let bytes = 0;
    let outstanding = 0;
    let stopped = false;
    const statuses: Record<string, number> = {};
    const interval = 1000 / rate;
    const t0 = performance.now();
    const winStart = t0 + cfg.warmMs;
    const winEnd = winStart + cfg.windowMs;
    let i = 0;
    let cpu0 = process.cpuUsage();
    let cpuTaken = false;
    const finish = () => {
      agent.destroy();
      const sorted = lat.sorted();
      const cpu = process.cpuUsage(cpu0);
      resolve({
        windowMs: cfg.windowMs,
        ok,
        non2xx,
        errors,
        statuses,
        rps: (ok / cfg.windowMs) * 1000,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        p999: percentile(sorted, 99.9),
        max: sorted.length ? sorted[sorted.length - 1] : NaN,
        bytesPerResponse: ok ? bytes / ok : NaN,
        loadgenCpuMs: (cpu.user + cpu.system) / 1000,
      });
    };
    const fire = (intended: number, r: ReqSpec) => {
      outstanding++;
      const counted = intended >= winStart && intended < winEnd;
      const req = request(
        { host: '127.0.0.1', port: cfg.port, path: r.path, method: r.method ?? 'GET', headers: r.headers, agent },
        (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => {
            outstanding--;
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              non2xx++;
              statuses[status] = (statuses[status] ?? 0) + 1;
            } else if (counted) {
              ok++;
              bytes += n;
              lat.push(performance.now() - intended);
            }
            if (stopped && outstanding === 0) finish();
          });
        },
      );
      req.on('error', () => {
        outstanding--;
        errors++;
        if (stopped && outstanding === 0) finish();
      });
      req.end(r.body);
    };
    const tick = () => {
      const now = performance.now();
      if (!cpuTaken && now >= winStart) {
        cpu0 = process.cpuUsage();
        cpuTaken = true;
      }
      // Send everything that is due (timers fire late under load; the schedule does not drift).
      while (t0 + i * interval <= now && t0 + i * interval < winEnd) {
        fire(t0 + i * interval, cfg.requests[i % cfg.requests.length]);
        i++;
      }
      if (t0 + i * interval >= winEnd) {
        stopped = true;
        if (outstanding === 0) finish();
        return;
      }
      setTimeout(tick, Math.max(0, t0 + i * interval - performance.now()));
    };
    tick();
  });
}

// One process serves every run of a series (config in, result out), so each run does not pay a start-up.
process.on('message', (cfg: LoadConfig) => {
  (cfg.paced ? runPaced(cfg, cfg.paced) : run(cfg)).then(
    (result) => process.send?.({ type: 'result', result } satisfies LoadMessage),
    (e: unknown) => process.send?.({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies LoadMessage),
  );
});
process.on('disconnect', () => process.exit(0));
