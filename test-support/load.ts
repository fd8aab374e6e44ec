import http from 'node:http';

/**
 * A small load generator that behaves like a load balancer in front of several processes: keep-alive
 * connections per target, requests sent round-robin over the targets in rotation, a target taken out of
 * rotation when a request to it fails at the connection level (refused, reset) and put back once its
 * readiness check answers 200. It never retries: every failure is counted, per target.
 */

export interface LoadTarget {
  label: string;
  /** http://host:port */
  url: string;
}

export interface TargetStats {
  /** Requests sent to this target. */
  sent: number;
  /** Answered with the expected status. */
  ok: number;
  /** Answered with another status (401, 5xx, ...): always a real failure. */
  badStatus: number;
  /** No answer: the connection was refused, reset or timed out (error code → count). */
  connectionErrors: number;
  errors: Record<string, number>;
  statuses: Record<string, number>;
  /** Times it was taken out of rotation / put back. */
  outOfRotation: number;
  backInRotation: number;
}

export interface LoadOptions {
  /** Path requested on every target. */
  path: string;
  /** Headers of the i-th request (e.g. a token from a pool). */
  headers: (i: number) => Record<string, string>;
  /** Requests in flight at once, over all targets. Default 4. */
  concurrency?: number;
  /** Status that counts as success. Default 200. */
  expect?: number;
  /** Readiness path polled for targets out of rotation. Default /health/ready. */
  readyPath?: string;
  /** Per-request deadline, ms. Default 10 000. */
  timeoutMs?: number;
}

export interface Load {
  stats: Record<string, TargetStats>;
  /** Resolves once `cond(stats)` holds (checked after every request and readiness check). */
  until(cond: (stats: Record<string, TargetStats>) => boolean, timeoutMs?: number): Promise<void>;
  /** Stop sending; resolves when every request in flight has ended. */
  stop(): Promise<Record<string, TargetStats>>;
}

const empty = (): TargetStats => ({
  sent: 0,
  ok: 0,
  badStatus: 0,
  connectionErrors: 0,
  errors: {},
  statuses: {},
  outOfRotation: 0,
  backInRotation: 0,
});

function get(url: string, agent: http.Agent, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'TIMEOUT' })));
    req.once('error', reject);
  });
}

export function startLoad(targets: readonly LoadTarget[], opts: LoadOptions): Load {
  const concurrency = opts.concurrency ?? 4;
  const expect = opts.expect ?? 200;
  const readyPath = opts.readyPath ?? '/health/ready';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const stats: Record<string, TargetStats> = Object.fromEntries(targets.map((t) => [t.label, empty()]));
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: concurrency }));
  const inRotation = targets.map(() => true);
  const checking = targets.map(() => false);
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let stopped = false;
  let seq = 0;
  let next = 0;

  const takeOut = (t: number) => {
    if (!inRotation[t]) return;
    inRotation[t] = false;
    stats[targets[t].label].outOfRotation++;
    if (!checking[t]) void healthCheck(t);
  };

  // Like a balancer's health check: poll readiness until it answers 200, then back in rotation.
  async function healthCheck(t: number): Promise<void> {
    checking[t] = true;
    const probeAgent = new http.Agent({ keepAlive: false });
    try {
      while (!stopped) {
        const status = await get(targets[t].url + readyPath, probeAgent, {}, 1000).catch(() => 0);
        if (status === 200) {
          inRotation[t] = true;
          stats[targets[t].label].backInRotation++;
          notify();
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      checking[t] = false;
      probeAgent.destroy();
    }
  }

  function pick(): number | null {
    for (let k = 0; k < targets.length; k++) {
      const t = next++ % targets.length;
      if (inRotation[t]) return t;
    }
    return null;
  }

  async function worker(): Promise<void> {
    while (!stopped) {
      const t = pick();
      if (t === null) {
        await new Promise((r) => setTimeout(r, 20)); // every target is out: wait for a health check
        continue;
      }
      const s = stats[targets[t].label];
      s.sent++;
      try {
        const status = await get(targets[t].url + opts.path, agents[t], opts.headers(seq++), timeoutMs);
        if (status === expect) s.ok++;
        else s.badStatus++;
        s.statuses[status] = (s.statuses[status] ?? 0) + 1;
      } catch (e) {
        const code = (e as { code?: string }).code ?? (e as Error).message;
        s.connectionErrors++;
        s.errors[code] = (s.errors[code] ?? 0) + 1;
        takeOut(t);
      }
      notify();
    }
  }

  const workers = Array.from({ length: concurrency }, () => worker());

  return {
    stats,
    until: (cond, waitMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`load: condition not met within ${waitMs} ms: ${JSON.stringify(stats)}`));
        }, waitMs);
        const check = () => {
          if (!cond(stats)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    async stop() {
      stopped = true;
      await Promise.all(workers);
      for (const a of agents) a.destroy();
      return stats;
    },
  };
}
