import express from 'express';
import http, { type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { gracefulShutdown, type GracefulShutdownOptions } from '../src';

// The signal path (SIGTERM → drain → exit code) runs on real processes: the demo in
// examples/quickstart/test (demo.test.ts, scale-out.test.ts). jest's sandboxed `process` cannot receive one.

/** A real server with a route that holds its answer until the test releases it. */
async function slowServer(events: string[] = []) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inHandler = new Promise<void>((r) => (entered = r));
  const app = express();
  app.get('/slow', async (_req, res) => {
    res.once('finish', () => events.push('answered')); // the whole answer handed to the socket
    entered();
    await released;
    res.json({ done: true });
  });
  app.get('/fast', (_req, res) => res.json({ fast: true }));
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { server, port, release, inHandler };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
function get(port: number, path: string, agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('gracefulShutdown', () => {
  let server: Server | undefined;
  const lines: string[] = [];
  const opts = (o: GracefulShutdownOptions = {}): GracefulShutdownOptions => ({
    signals: [],
    exit: false,
    log: (l) => lines.push(l),
    ...o,
  });
  beforeEach(() => {
    lines.length = 0;
  });
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('stops accepting, lets the request in flight finish (with Connection: close), then closes the store', async () => {
    const order: string[] = [];
    const s = await slowServer(order);
    server = s.server;
    const g = gracefulShutdown(s.server, opts({ close: async () => void order.push('close') }));
    const agent = new http.Agent({ keepAlive: true }); // the client asks to keep the connection
    const inflight = get(s.port, '/slow', agent);
    await s.inHandler;
    expect(g.inFlight).toBe(1);

    const done = g.shutdown('test');
    expect(g.draining).toBe(true);
    await expect(get(s.port, '/fast')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(order).toEqual([]); // nothing closed while a request is in flight
    s.release();
    const answer = await inflight;
    expect(answer).toMatchObject({ status: 200, body: '{"done":true}' });
    expect(answer.headers.connection).toBe('close'); // the server ends it: the client reconnects elsewhere
    agent.destroy();
    expect(await done).toEqual({ reason: 'test', inFlightAtStart: 1, finished: 1, aborted: 0, cut: 0, closed: true, code: 0 });
    expect(order).toEqual(['answered', 'close']);
    expect(g.shutdown()).toBe(done); // joins the one that ran
    expect(lines).toEqual([
      'shutdown (test): not accepting connections; 1 request(s) in flight; drain deadline 10000 ms',
      'shutdown: drained (in flight at start: 1, finished: 1, aborted: 0, cut: 0); close done; exit 0',
    ]);
  });

  it('past the drain deadline: cuts the connections still busy, still closes, reports code 1', async () => {
    const s = await slowServer();
    server = s.server;
    let closed = false;
    const g = gracefulShutdown(s.server, opts({ drainMs: 100, close: async () => void (closed = true) }));
    const inflight = get(s.port, '/slow').catch((e: NodeJS.ErrnoException) => e);
    await s.inHandler;
    const report = await g.shutdown();
    expect(report).toMatchObject({ inFlightAtStart: 1, finished: 0, cut: 1, closed: true, code: 1 });
    expect(closed).toBe(true);
    expect(await inflight).toMatchObject({ message: 'socket hang up' });
    s.release();
  });

  it('closes idle keep-alive connections at once, so the server itself closes', async () => {
    const s = await slowServer();
    server = s.server;
    const agent = new http.Agent({ keepAlive: true });
    await get(s.port, '/fast', agent);
    await get(s.port, '/fast', agent); // the same kept-alive socket, now idle
    const closedServer = once(s.server, 'close');
    const report = await gracefulShutdown(s.server, opts()).shutdown();
    expect(report).toMatchObject({ inFlightAtStart: 0, cut: 0, code: 0 });
    await closedServer; // every connection is gone
    agent.destroy();
  });

  it('a close that fails or hangs is bounded and reported (code 1)', async () => {
    const a = await slowServer();
    server = a.server;
    const failing = await gracefulShutdown(a.server, opts({ close: () => Promise.reject(new Error('boom')) })).shutdown();
    expect(failing).toMatchObject({ closed: false, code: 1 });
    const b = await slowServer();
    const hanging = await gracefulShutdown(b.server, opts({ closeMs: 50, close: () => new Promise(() => undefined) })).shutdown();
    expect(hanging).toMatchObject({ closed: false, code: 1 });
    expect(lines.at(-1)).toBe(
      'shutdown: drained (in flight at start: 0, finished: 0, aborted: 0, cut: 0); close failed or timed out; exit 1',
    );
  });

  it('refuses bad deadlines at start-up', () => {
    const s = http.createServer();
    expect(() => gracefulShutdown(s, { drainMs: 0 })).toThrow(/drainMs/);
    expect(() => gracefulShutdown(s, { closeMs: 1.5 })).toThrow(/closeMs/);
  });
});
