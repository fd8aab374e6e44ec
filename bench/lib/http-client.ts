import { Agent, request } from 'node:http';
import type { ReqSpec } from './types';

let agent = new Agent({ keepAlive: true, maxSockets: 1 });

export interface Reply {
  status: number;
  body: string;
}

/** One request from the orchestrator (preflight checks and exact Redis counts), keep-alive. */
export function send(port: number, r: ReqSpec): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: r.path, method: r.method ?? 'GET', headers: r.headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(r.body);
  });
}

/** Drop the kept-alive socket (before the server it points at goes away). */
export function closeClient(): void {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
}
