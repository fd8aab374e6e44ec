/**
 * `npm run bench:hotpath` — the per-request cost of each guard, measured in ways the machine's load
 * does not move (issue 18). Each server of `bench/servers/` runs in its own process with a fixed loop
 * of sequential keep-alive requests from that same process (`lib/hotpath.ts`); the guard's cost is the
 * server's figure minus bare Express's, and is shown as a multiple of its hand-written floor's
 * (map-bearer for in-memory guards, redis-floor for Redis ones).
 *
 *   --servers a,b       servers (bare and the floors are always added)
 *   --requests N        measured requests per run (default 300 under callgrind, 4000 with --cpu)
 *   --reps N            runs per server and tree, interleaved (default 1 under callgrind, 3 with --cpu)
 *   --cpu               process CPU µs instead of instructions (fast, but load-sensitive), plus Redis
 *                       INFO commandstats usec per call
 *   --compare <ref>     also run <ref>'s library code (its packages/, this tree's bench) in the same rounds
 *
 * Instructions come from `valgrind --tool=callgrind` with counting switched on only around the measured
 * loop (callgrind_control), node started with --single-threaded --predictable-gc-schedule so JIT and GC
 * work follow the program, not the clock: the count barely moves whatever else the machine does. Results: bench/results/partial/hotpath.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { prepareTree, THIS_TREE, type Tree } from './lib/compare-tree';
import { FLOOR_OF, FLOOR_TARGET } from './lib/floors';
import type { HotpathResult } from './lib/hotpath';
import { freePorts, startCluster, startRedis, type RedisCluster, type RedisProc } from './lib/redis-procs';
import { BENCH, SERVERS } from './lib/registry';
import { median } from './lib/stats';
import type { ServerContext } from './lib/types';

interface Options {
  servers: string[];
  requests?: number;
  reps?: number;
  cpu: boolean;
  compare?: string;
}

const DEFAULT = ['authmount-memory', 'authmount-xauth', 'authmount-pcloud', 'authmount-cbtoken', 'authmount-redis'];

function parseArgs(argv: string[]): Options {
  const o: Options = { servers: DEFAULT, cpu: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? '';
    if (a === '--servers') o.servers = next().split(',');
    else if (a === '--requests') o.requests = Number(next());
    else if (a === '--reps') o.reps = Number(next());
    else if (a === '--cpu') o.cpu = true;
    else if (a === '--compare') o.compare = next();
    else throw new Error(`unknown option ${a} (see the header of bench/hotpath.ts)`);
  }
  return o;
}

const log = (s: string) => process.stderr.write(`[hotpath] ${s}\n`);

interface Measured {
  server: string;
  tree: string;
  rep: number;
  /** Instructions (callgrind) or CPU µs per request. */
  perReq: number;
  result: HotpathResult;
}

/** One run of the harness; under callgrind, counting is on for the measured loop only. */
async function runOne(
  tree: Tree,
  server: string,
  ctx: ServerContext,
  n: number,
  warm: number,
  callgrind: boolean,
): Promise<{ perReq: number; result: HotpathResult }> {
  const script = path.join(tree.root, 'bench', 'lib', 'hotpath.ts');
  const nodeArgs = ['--import', 'tsx', script, `servers/${server}`, String(n), String(warm), JSON.stringify(ctx)];
  const outFile = path.join(tmpdir(), `authmount-hotpath-${process.pid}-${server}.cg`);
  const [cmd, args] = callgrind
    ? [
        'valgrind',
        [
          '--tool=callgrind',
          '--instr-atstart=no',
          `--callgrind-out-file=${outFile}`,
          process.execPath,
          '--single-threaded',
          '--predictable-gc-schedule',
          '--expose-gc',
          ...nodeArgs,
        ],
      ]
    : [process.execPath, ['--expose-gc', ...nodeArgs]];
  const child = spawn(cmd, args, {
    cwd: tree.root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOTPATH_SYNC: callgrind ? '1' : '0',
      TSX_TSCONFIG_PATH: path.join(tree.root, 'tsconfig.json'),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const control = (what: string[]) =>
    new Promise<void>((resolve, reject) => {
      const c = spawn('callgrind_control', [...what, String(child.pid)], { stdio: 'ignore' });
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`callgrind_control ${what.join(' ')} exited ${code}`))));
    });
  let out = '';
  const result = await new Promise<HotpathResult>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line === 'ready')
          void control(['-z'])
            .then(() => control(['-i', 'on']))
            .then(() => child.stdin.write('go\n'), reject);
        else if (line === 'done')
          void control(['-i', 'off'])
            .then(() => control(['-d']))
            .then(() => child.stdin.write('go\n'), reject);
        else if (line.startsWith('{')) resolve(JSON.parse(line) as HotpathResult);
      }
    });
    child.on('exit', (code) =>
      reject(
        new Error(
          `${server}: harness exited ${code}: ${err
            .split('\n')
            .filter((l) => !l.startsWith('=='))
            .slice(-5)
            .join(' | ')}`,
        ),
      ),
    );
  });
  await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  // Servers that use authmount must have loaded this tree's packages (bare and the floors load none).
  if (result.libRoot !== (server.startsWith('authmount') ? tree.root : null) && result.libRoot !== tree.root)
    throw new Error(`${server}: loaded the library of ${result.libRoot}, not of ${tree.root}`);
  if (!callgrind) return { perReq: result.cpuUsPerReq, result };
  // The dump made while counting was on for the loop only ("-d" writes <file>.<n>; the final one has 0).
  const dir = path.dirname(outFile);
  let total = 0;
  for (const f of readdirSync(dir).filter((x) => x.startsWith(path.basename(outFile)))) {
    const m = /^totals: (\d+)/m.exec(readFileSync(path.join(dir, f), 'utf8'));
    total += m ? Number(m[1]) : 0;
    rmSync(path.join(dir, f));
  }
  return { perReq: total / n, result };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const callgrind = !o.cpu;
  const n = o.requests ?? (callgrind ? 300 : 4000);
  const warm = callgrind ? 300 : 1000;
  const reps = o.reps ?? (callgrind ? 1 : 3);
  const floors = new Set(o.servers.map((s) => FLOOR_OF[s]).filter((f): f is string => f !== undefined));
  const servers = ['bare', ...[...floors], ...o.servers.filter((s) => s !== 'bare' && !floors.has(s))];
  for (const s of servers) if (!SERVERS.some((e) => e.name === s)) throw new Error(`unknown server ${s}`);
  const trees = [THIS_TREE, ...(o.compare ? [prepareTree(o.compare)] : [])];
  let single: RedisProc | undefined;
  let cluster: RedisCluster | undefined;
  const needs = (kind: 'single' | 'cluster') => servers.some((s) => SERVERS.find((e) => e.name === s)?.redis === kind);
  const measured: Measured[] = [];
  try {
    if (needs('single')) single = await startRedis(await freePorts(1));
    if (needs('cluster')) cluster = await startCluster();
    const flush = async () => {
      for (const url of [...(single ? [single.url] : []), ...(cluster?.nodes.map((x) => x.url) ?? [])]) {
        const c = new Redis(url);
        await c.flushall();
        c.disconnect();
      }
    };
    for (let rep = 1; rep <= reps; rep++) {
      for (const server of servers) {
        const entry = SERVERS.find((e) => e.name === server)!;
        const ctx: ServerContext = {
          count: 2000,
          redisTimeoutMs: callgrind ? 60_000 : undefined,
          redisUrl: entry.redis === 'single' ? single?.url : undefined,
          clusterNodes: entry.redis === 'cluster' ? cluster?.nodes.map((x) => ({ host: '127.0.0.1', port: x.port })) : undefined,
        };
        // Servers that load no authmount code (bare, the floors, the peers) are the same in every tree.
        for (const tree of server.startsWith('authmount') ? trees : [THIS_TREE]) {
          await flush();
          let got: Awaited<ReturnType<typeof runOne>>;
          try {
            got = await runOne(tree, server, ctx, n, warm, callgrind);
          } catch (e) {
            log(`rep ${rep} ${server}${tree.suffix}: FAILED ${e instanceof Error ? e.message : String(e)}`);
            continue;
          }
          const { perReq, result } = got;
          measured.push({ server, tree: tree.suffix, rep, perReq, result });
          log(
            `rep ${rep} ${server}${tree.suffix}: ${callgrind ? `${Math.round(perReq).toLocaleString('en-US')} instructions/req` : `${perReq.toFixed(1)} CPU µs/req`}`,
          );
        }
      }
    }
  } finally {
    await cluster?.stop();
    await single?.stop();
  }
  const unit = callgrind ? 'instructions / req' : 'CPU µs / req';
  const fmt = (x: number) => (callgrind ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
  const rows: string[] = [];
  for (const tree of trees) {
    const per = (server: string) =>
      measured.filter((m) => m.server === server && m.tree === (server.startsWith('authmount') ? tree.suffix : ''));
    const at = (server: string, rep: number) => per(server).find((m) => m.rep === rep)?.perReq ?? NaN;
    for (const server of servers) {
      if (tree !== THIS_TREE && !server.startsWith('authmount')) continue;
      const floor = FLOOR_OF[server];
      const added = per(server).map((m) => m.perReq - at('bare', m.rep));
      const multiples = floor ? per(server).map((m) => (m.perReq - at('bare', m.rep)) / (at(floor, m.rep) - at('bare', m.rep))) : [];
      const redis = per(server).at(-1)?.result.redis;
      const redisCell = redis
        ? Object.entries(redis)
            .map(([k, v]) => `${k} ${(v.calls / n).toFixed(2)}×${(v.usec / Math.max(1, v.calls)).toFixed(1)} µs`)
            .join(', ')
        : '';
      const mm = median(multiples);
      rows.push(
        `| ${server}${tree.suffix} | ${fmt(median(per(server).map((m) => m.perReq)))} | ${server === 'bare' ? '0' : `+${fmt(median(added))}`} | ${floor ? `${mm.toFixed(2)}× ${floor}${multiples.length > 1 ? ` (${multiples.map((x) => x.toFixed(2)).join(', ')})` : ''}` : ''} | ${floor && !server.startsWith('session') && !server.startsWith('passport') ? (mm <= FLOOR_TARGET ? 'met' : 'missed') : ''} | ${redisCell} |`,
      );
    }
  }
  const table = [
    `| server | ${unit} | added over bare | added as a multiple of the floor's | ≤ ${FLOOR_TARGET}× | Redis (calls per request × usec per call) |`,
    '|---|---:|---:|---|---|---|',
    ...rows,
  ].join('\n');
  process.stdout.write(
    `\n${table}\n\n${n} measured requests per run after ${warm} warm-up ones, ${reps} run(s) per server${o.compare ? ` and tree (${trees[1].suffix} = ${o.compare})` : ''}.\n`,
  );
  const dir = path.join(BENCH, 'results', 'partial');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `hotpath${callgrind ? '' : '-cpu'}.json`),
    JSON.stringify({ at: new Date().toISOString(), options: o, n, warm, trees, measured }, null, 1),
  );
  writeFileSync(path.join(dir, `hotpath${callgrind ? '' : '-cpu'}.md`), `${table}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`hotpath failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
