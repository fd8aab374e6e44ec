/**
 * A hostile-HTTP fuzzer for Express route sets. It generates requests real clients never send (duplicated
 * and array-valued params, prototype-pollution keys, huge/empty values, broken percent-encoding and
 * UTF-8, wrong content types, malformed JSON and multipart, look-alike tokens, odd header casing), sends
 * them over a real socket, and checks the invariants every adapter owes:
 *   - never a 5xx the protocol does not define, never a crash or an unhandled rejection;
 *   - every answer is in the protocol's own format (the target's `checkReply`);
 *   - a rejected request changes no state (the target's `state` digest is equal before and after).
 * CI runs AUTHMOUNT_FUZZ_RUNS (default 40) cases per endpoint; set it higher to dig deeper.
 */
import fc from 'fast-check';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export const FUZZ_RUNS = Number(process.env.AUTHMOUNT_FUZZ_RUNS ?? 40);

export interface FuzzEndpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Parameter names the endpoint reads (they get hostile values; unknown names are added too). */
  params: readonly string[];
  /** Header names the endpoint reads (credentials etc.). */
  headers?: readonly string[];
  /** Path suffixes the route also answers to (e.g. CB's `.json`). */
  suffixes?: readonly string[];
}

export interface FuzzReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FuzzTarget {
  app: Express;
  endpoints: readonly FuzzEndpoint[];
  /** Throw (with a message) if the reply is not in the protocol's format. */
  checkReply(reply: FuzzReply, req: FuzzRequest): void;
  /** True when the protocol says the request was refused (e.g. 4xx, or pCloud's result ≠ 0). */
  isRejected(reply: FuzzReply): boolean;
  /** A digest of all state a request could change (users, tokens, ...), compared around rejected requests. */
  state?(): Promise<string>;
  /** Values worth mixing in (real tokens, real logins) so the fuzzer reaches deeper code. */
  seeds?: readonly string[];
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const LOOKALIKE_TOKENS = [
  `1.${'A'.repeat(43)}`,
  `0.${'A'.repeat(43)}`,
  `9007199254740993.${'A'.repeat(43)}`,
  `1.${'A'.repeat(42)}=`,
  `１.${'A'.repeat(43)}`, // fullwidth digit
  `1.${'А'.repeat(43)}`, // Cyrillic A
  `1.${'A'.repeat(43)}\u0000`,
  `${'9'.repeat(70)}.${'A'.repeat(43)}`,
  'Bearer Bearer',
];

const rawValue = (seeds: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(''),
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 20, unit: 'binary' }).map((s) => encodeURIComponent(s)),
    fc.constantFrom('%', '%E0%A4%A', '%FF%FE', '%C0%AF', '%00', '%ZZ', '%u0041', '+++', '%2B%20'),
    fc.constantFrom(...LOOKALIKE_TOKENS.map(encodeURIComponent)),
    fc.integer({ min: 1_000, max: 12_000 }).map((n) => 'x'.repeat(n)),
    fc.constantFrom('true', 'false', '1', '0', '-1', '1e999', 'NaN', 'null', 'undefined', '[]', '{}'),
    ...(seeds.length ? [fc.constantFrom(...seeds.map(encodeURIComponent))] : []),
  );

const paramName = (names: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(names.length ? names : ['x'])) },
    { weight: 2, arbitrary: fc.constantFrom(...(names.length ? names : ['x'])).map((n) => `${n}[]`) },
    { weight: 1, arbitrary: fc.constantFrom(...(names.length ? names : ['x'])).map((n) => `${n}[a][b]`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '__proto__',
        '__proto__[admin]',
        'constructor',
        'constructor[prototype][admin]',
        'hasOwnProperty',
        'toString',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(encodeURIComponent) },
  );

const queryString = (names: readonly string[], seeds: readonly string[]) =>
  fc.array(fc.tuple(paramName(names), rawValue(seeds)), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

type Body = { contentType?: string; body?: Buffer };

const bodyArb = (names: readonly string[], seeds: readonly string[]): fc.Arbitrary<Body> =>
  fc.oneof(
    fc.constant<Body>({}),
    queryString(names, seeds).map((q) => ({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from(q) })),
    fc
      .dictionary(
        paramName(names),
        fc.oneof(
          rawValue(seeds).map(decodeSafe),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
          fc.object({ maxDepth: 2 }),
        ),
      )
      .map((o) => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify(o)) })),
    fc
      .integer({ min: 10_000, max: 200_000 })
      .map((n) => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify({ [names[0] ?? 'x']: 'y'.repeat(n) })) })),
    fc
      .constantFrom('{"a":', '{"__proto__":{"admin":true}}', '[1,2,3]', '"str"', 'null', '{"a":1}}', '\u0000\u0001')
      .map((s) => ({ contentType: 'application/json', body: Buffer.from(s) })),
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'application/json; charset=utf-16',
        'application/x-www-form-urlencoded; charset=koi8-r',
        'multipart/form-data',
        'multipart/form-data; boundary=zz',
      )
      .map((ct) => ({ contentType: ct, body: Buffer.from('a=b&c=d') })),
    fc.tuple(paramName(names), rawValue(seeds)).map(([k, v]) => ({
      contentType: 'multipart/form-data; boundary=XyZ',
      body: Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${decodeSafe(v)}\r\n--XyZ--\r\n`),
    })),
    fc.constant<Body>({
      contentType: 'multipart/form-data; boundary=XyZ',
      body: Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'),
    }),
    fc.constant<Body>({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from([0xff, 0xfe, 0x3d, 0xc0, 0xaf]) }),
  );

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const headerCase = (name: string) =>
  fc.constantFrom(
    name,
    name.toUpperCase(),
    name.replace(/(^|-)([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  );

function requestArb(ep: FuzzEndpoint, seeds: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const headerNames = ep.headers ?? [];
  const headerArb = headerNames.length
    ? fc.array(fc.tuple(fc.constantFrom(...headerNames).chain(headerCase), rawValue(seeds).map(decodeSafe)), { maxLength: 2 })
    : fc.constant([] as Array<[string, string]>);
  const withBody = ep.method !== 'GET';
  return fc
    .tuple(
      queryString(ep.params, seeds),
      withBody ? bodyArb(ep.params, seeds) : fc.constant<Body>({}),
      headerArb,
      fc.constantFrom('', ...(ep.suffixes ?? [])),
    )
    .map(([q, b, hs, suffix]) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of hs) {
        // Node refuses to send header values with control or non-Latin-1 characters; keep what it can send.
        const safe = v.replace(/[^\x20-\x7e]/g, '').slice(0, 8000);
        headers[k] = safe;
      }
      if (b.contentType) headers['content-type'] = b.contentType;
      const p = ep.path + suffix;
      // Node's client refuses spaces and control bytes in a path; escape those, keep broken %-sequences.
      const path = (q ? `${p}?${q}` : p).replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
      return { method: ep.method, path, headers, body: b.body };
    });
}

function send(port: number, req: FuzzRequest): Promise<FuzzReply> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body) r.write(req.body);
    r.end();
  });
}

export interface FuzzReport {
  endpoint: string;
  cases: number;
}

/** Fuzz every endpoint of `target` with FUZZ_RUNS cases each; rejects on the first broken invariant. */
export async function fuzzEndpoints(target: FuzzTarget, runs = FUZZ_RUNS): Promise<FuzzReport[]> {
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  const server = target.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const reports: FuzzReport[] = [];
  try {
    for (const ep of target.endpoints) {
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(requestArb(ep, target.seeds ?? []), async (req) => {
          cases++;
          const before = target.state ? await target.state() : '';
          // Node's own HTTP parser may refuse a path outright (400 before Express): that is fine too.
          let reply: FuzzReply;
          try {
            reply = await send(port, req);
          } catch (e) {
            if ((e as { code?: string }).code === 'ERR_UNESCAPED_CHARACTERS') return; // the client refused to send it
            throw e;
          }
          if (reply.status >= 500 && reply.status !== 503) throw new Error(`${reply.status} for ${req.method} ${req.path.slice(0, 200)}`);
          if (reply.status === 503) throw new Error(`503 without a store outage for ${req.method} ${req.path.slice(0, 200)}`);
          if (!isNodeParserReply(reply)) target.checkReply(reply, req);
          if (target.state && target.isRejected(reply)) {
            const after = await target.state();
            if (after !== before) throw new Error(`state changed on a rejected ${req.method} ${req.path.slice(0, 200)}`);
          }
          if (rejections.length) throw new Error(`unhandled rejection: ${String(rejections[0])}`);
        }),
        { numRuns: runs },
      );
      reports.push({ endpoint: `${ep.method} ${ep.path}`, cases });
    }
  } finally {
    server.close();
    process.off('unhandledRejection', onRejection);
  }
  return reports;
}

/** Node's HTTP server answers some malformed requests itself (400, 414, 431) with a bare reply: no app involved. */
function isNodeParserReply(r: FuzzReply): boolean {
  return [400, 413, 414, 431].includes(r.status) && r.body === '' && r.headers['content-type'] === undefined;
}
