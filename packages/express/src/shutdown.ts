import type { Server, ServerResponse } from 'node:http';

export interface GracefulShutdownOptions {
  /** Longest wait for the requests in flight, ms. Default 10 000. Past it their connections are cut. */
  drainMs?: number;
  /** Runs once the requests are done (or cut): release the store, e.g. `() => auth.close()`. */
  close?: () => Promise<void>;
  /** Bound of `close`, ms. Default 5 000. */
  closeMs?: number;
  /** Signals that start the shutdown. Default `['SIGTERM', 'SIGINT']`; `[]` to call `shutdown()` yourself. */
  signals?: readonly NodeJS.Signals[];
  /** One line per step: counts and durations only. Default `console.log`. */
  log?: (line: string) => void;
  /** Receives the exit code at the end (see ShutdownReport.code). Default `process.exit`; `false` to stay alive. */
  exit?: ((code: number) => void) | false;
}

export interface ShutdownReport {
  /** The signal, or the reason given to `shutdown()`. */
  reason: string;
  /** Requests being served when the shutdown began. */
  inFlightAtStart: number;
  /** Requests completed during the drain (those in flight, and any that came on an open keep-alive connection). */
  finished: number;
  /** Requests whose client went away before the answer was complete. */
  aborted: number;
  /** Requests still running at the deadline: their connections were cut. */
  cut: number;
  /** `close` resolved within `closeMs` (true when there is no `close`). */
  closed: boolean;
  /** 0 when every request finished and `close` succeeded, else 1. */
  code: 0 | 1;
}

export interface GracefulShutdown {
  /** True from the start of the shutdown on (readiness answers 503 from then). */
  readonly draining: boolean;
  /** Requests being served right now. */
  readonly inFlight: number;
  /** Start the shutdown, or join the one already running. */
  shutdown(reason?: string): Promise<ShutdownReport>;
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v <= 0) throw new TypeError(`gracefulShutdown: ${name} must be a positive integer of milliseconds`);
  return v;
}

/**
 * Graceful shutdown with a bounded drain for a Node HTTP server (what `app.listen()` returns). Call it
 * before `listen` (or right after), so every request is tracked. On the first signal:
 * 1. `draining` turns true (mount `healthRoutes(auth, { shutdown })` so the load balancer sees 503);
 * 2. the server stops accepting connections; idle keep-alive connections are closed, and every answer
 *    still to be written carries `Connection: close`, so clients reconnect to another process;
 * 3. the requests in flight finish, up to `drainMs`; past it their connections are cut;
 * 4. `close()` runs (the store), bounded by `closeMs`; then `exit(code)`.
 * Later signals while it runs are ignored: the deadlines already bound it.
 */
export function gracefulShutdown(server: Server, opts: GracefulShutdownOptions = {}): GracefulShutdown {
  const drainMs = positive('drainMs', opts.drainMs, 10_000);
  const closeMs = positive('closeMs', opts.closeMs, 5_000);
  const log = opts.log ?? ((line: string) => console.log(line));
  const exit = opts.exit === undefined ? (code: number) => process.exit(code) : opts.exit;
  const signals = opts.signals ?? (['SIGTERM', 'SIGINT'] as const);

  const active = new Set<ServerResponse>();
  let draining = false;
  let finished = 0;
  let aborted = 0;
  let idle: (() => void) | undefined;
  let running: Promise<ShutdownReport> | undefined;

  // Prepended: runs before the app, so an answer written synchronously can still get `Connection: close`.
  server.prependListener('request', (_req, res: ServerResponse) => {
    active.add(res);
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      active.delete(res);
      if (!draining) return;
      if (res.writableFinished) finished++;
      else aborted++;
      // The connection this answer leaves idle (keep-alive, headers already sent) is closed now.
      setImmediate(() => server.closeIdleConnections());
      if (active.size === 0) idle?.();
    });
  });

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) log(`shutdown: ${signal} ignored, already shutting down`);
    void shutdown(signal);
  };
  for (const s of signals) process.on(s, onSignal);

  const drained = () =>
    new Promise<boolean>((resolve) => {
      if (active.size === 0) return resolve(true);
      const timer = setTimeout(() => resolve(false), drainMs);
      idle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });

  const closeStore = async (): Promise<boolean> => {
    if (!opts.close) return true;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        opts.close().then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), closeMs))),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  function shutdown(reason = 'shutdown()'): Promise<ShutdownReport> {
    running ??= (async () => {
      draining = true;
      const inFlightAtStart = active.size;
      for (const res of active) if (!res.headersSent) res.setHeader('Connection', 'close');
      log(`shutdown (${reason}): not accepting connections; ${inFlightAtStart} request(s) in flight; drain deadline ${drainMs} ms`);
      server.close();
      server.closeIdleConnections();
      const ok = await drained();
      const counts = { finished, aborted, cut: ok ? 0 : active.size }; // before cutting: a cut answer is not "aborted"
      if (!ok) server.closeAllConnections();
      const closed = await closeStore();
      const code = counts.cut === 0 && closed ? 0 : 1;
      for (const s of signals) process.off(s, onSignal);
      log(
        `shutdown: ${ok ? 'drained' : 'deadline passed'} (in flight at start: ${inFlightAtStart}, finished: ${counts.finished}, aborted: ${counts.aborted}, cut: ${counts.cut}); ` +
          `close ${closed ? 'done' : 'failed or timed out'}; exit ${code}`,
      );
      const report: ShutdownReport = { reason, inFlightAtStart, ...counts, closed, code };
      if (exit) exit(code);
      return report;
    })();
    return running;
  }

  return {
    get draining() {
      return draining;
    },
    get inFlight() {
      return active.size;
    },
    shutdown,
  };
}
