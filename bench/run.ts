/**
 * `npm run bench` — authmount side by side with its peers (issue 7). Every figure comes from this one
 * run on this machine. Options:
 *   --quick               a short pass for local checks (one round, short windows, smaller counts)
 *   --rounds N            rounds of the throughput series (default 3)
 *   --servers a,b         only these servers of the throughput series (bare is always added)
 *   --only s1,s2          sections: throughput, login, flood, memory, redis, postgres, scale
 *   --profile             write V8 CPU profiles of the servers to bench/results/profiles/
 *   --report-from F.json  re-render the Markdown and the chart from a saved latest.json (no measuring)
 *   --compare <ref>       also run <ref>'s library code (its packages/, this bench) for every authmount
 *                         server, as `<server>@<sha7>`, right after the current one in every round
 * Writes bench/results/latest.{md,json} and ratios.svg (quick mode: bench/results/quick/; a run with
 * --servers/--only/--rounds/--profile: bench/results/partial/).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Redis from 'ioredis';
import { cpus, loadavg, release, totalmem } from 'node:os';
import * as path from 'node:path';
import { ratioChart, type Bar, type FloorBar } from './lib/chart';
import { FLOOR_TARGET } from './lib/floors';
import { runLogin, type LoginConfig } from './lib/login';
import type { HeapResult } from './lib/memory-heap';
import { allProcs, foreignUse } from './lib/procstat';
import { freePorts, redisServerVersion, startCluster, startRedis, type RedisCluster, type RedisProc } from './lib/redis-procs';
import { BENCH, ROOT, SERVERS, unavailable, type ServerEntry } from './lib/registry';
import { compareTable, renderReport, summaryTable, targetTable } from './lib/report';
import type { BenchResults, Section } from './lib/results';
import { postgresUnavailableForBench, startPostgres, type PostgresProc } from './lib/postgres-procs';
import { nextMessage, spawnTs, stopChild } from './lib/spawn';
import type { FloodResult } from './lib/signup-flood';
import type { BytesResult, ListCase, PgBytesResult } from './lib/store-figures';
import { kept, summarize } from './lib/summary';
import { runOnce, startLoadgen, type PgTarget, type RedisTarget, type Run, type SeriesConfig, type SeriesEntry } from './lib/throughput';
import { prepareTree } from './lib/compare-tree';

interface Options {
  quick: boolean;
  rounds?: number;
  servers?: string[];
  only?: string[];
  profile: boolean;
  reportFrom?: string;
  compare?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--servers') o.servers = next().split(',');
    else if (a === '--only') o.only = next().split(',');
    else if (a === '--report-from') o.reportFrom = next();
    else if (a === '--compare') o.compare = next();
    else throw new Error(`unknown option ${a} (see the header of bench/run.ts)`);
  }
  return o;
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

const T0 = Date.now();
const log = (s: string) => process.stderr.write(`[bench +${((Date.now() - T0) / 1000).toFixed(1)}s] ${s}\n`);

async function child<T>(file: string, args: string[], timeoutMs: number, nodeFlags: string[] = []): Promise<Section<T>> {
  const c = spawnTs(path.join(BENCH, 'lib', file), args, { nodeFlags });
  try {
    const m = await nextMessage<{ type: 'result'; result: T } | { type: 'error'; message: string }>(c, () => true, timeoutMs, file);
    return m.type === 'result' ? { ok: true, value: m.result } : { ok: false, error: m.message };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await stopChild(c);
  }
}

/** Markdown, chart and console tables, all from the results object alone. */
async function writeOutputs(res: BenchResults, outDir: string, rerendered = false): Promise<void> {
  const bars: Bar[] = summarize(res).map((s) => {
    const group = res.series!.servers.find((x) => x.name === s.server)!.group;
    return {
      server: s.server,
      group,
      ratio: s.server === 'bare' ? 1 : s.ratio,
      min: s.server === 'bare' ? 1 : s.ratioMin,
      max: s.server === 'bare' ? 1 : s.ratioMax,
    };
  });
  const floors: FloorBar[] = summarize(res)
    .filter((s) => s.floor && Number.isFinite(s.floorMultiple))
    .map((s) => ({
      server: s.server,
      floor: s.floor!,
      multiple: s.floorMultiple!,
      min: Math.min(...s.floorMultiples!),
      max: Math.max(...s.floorMultiples!),
    }));
  const chartFile = 'ratios.svg';
  if (bars.length) {
    const sub = `median of ${res.series!.config.rounds} round(s), ${res.startedAt.slice(0, 10)}, ${res.env.cores}-vCPU VM; whisker = min–max of the rounds`;
    writeFileSync(
      path.join(outDir, chartFile),
      await ratioChart(bars, 'Authenticated GET /me throughput relative to bare Express', sub, floors, FLOOR_TARGET),
    );
  }
  writeFileSync(
    path.join(outDir, 'latest.md'),
    renderReport(res, chartFile, path.relative(outDir, path.join(BENCH, 'README.md')), rerendered),
  );
  if (res.series) process.stdout.write(`\n${summaryTable(res)}\n`);
  const cmp = compareTable(res);
  if (cmp) process.stdout.write(`\n${cmp}\n`);
  process.stdout.write(
    `\n${targetTable(res)}\n\nWall time ${(res.wallMs / 60000).toFixed(1)} min. Results: ${path.relative(ROOT, path.join(outDir, 'latest.md'))}\n`,
  );
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.reportFrom) {
    const file = path.resolve(opts.reportFrom);
    return writeOutputs(JSON.parse(readFileSync(file, 'utf8')) as BenchResults, path.dirname(file), true);
  }
  const t0 = Date.now();
  const startedAt = new Date(t0).toISOString();
  const procs0 = allProcs();
  const load0 = loadavg();
  const want = (s: string) => !opts.only || opts.only.includes(s);
  const q = opts.quick;
  const series: SeriesConfig = {
    rounds: opts.rounds ?? (q ? 1 : 3),
    warmMs: q ? 400 : 2000,
    windowMs: q ? 800 : 4000,
    connections: 50,
    count: q ? 1000 : 10_000,
    hot: q ? 200 : 1000,
    exactRequests: q ? 100 : 1000,
    otherLimitPct: 15,
    repeatBudgetMs: q ? 0 : 5 * 60_000,
    startedAt: t0,
    profileDir: opts.profile ? path.join(BENCH, 'results', 'profiles') : undefined,
  };
  const login: LoginConfig = {
    rounds: q ? 1 : 3,
    ratioMs: q ? 800 : 3000,
    windowMs: q ? 1000 : 3000,
    meRate: 400,
    meWarmMs: q ? 500 : 1000,
    stormRampMs: q ? 800 : 1500,
    stormConnections: 8,
    altConcurrency: q || cpus().length < 2 ? undefined : cpus().length - 1,
  };
  const heapTokens = q ? 100_000 : 1_000_000;
  const bytesTokens = q ? 10_000 : 100_000;
  const listOthers = q ? 2_000 : 10_000;
  // Only a complete default run replaces the committed results; anything else goes to a scratch folder.
  const partial = !!(opts.servers || opts.only || opts.rounds !== undefined || opts.profile || opts.compare);
  const outDir = path.join(BENCH, 'results', ...(q ? ['quick'] : partial ? ['partial'] : []));
  mkdirSync(outDir, { recursive: true });
  if (series.profileDir) mkdirSync(series.profileDir, { recursive: true });

  const redisVersion = redisServerVersion();
  const notes: string[] = [];
  let single: RedisProc | undefined;
  let cluster: RedisCluster | undefined;
  let clusterError: string | null = 'not started';
  const clients: Redis[] = [];
  let postgres: PostgresProc | undefined;
  let postgresError: string | null = postgresUnavailableForBench();
  const stopAll = async () => {
    for (const c of clients) c.disconnect();
    await cluster?.stop();
    await single?.stop();
    await postgres?.stop();
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));

  const selected: ServerEntry[] = SERVERS.filter((s) =>
    opts.servers ? s.name === 'bare' || opts.servers.includes(s.name) : !(q && s.full),
  );
  const res: BenchResults = {
    startedAt,
    wallMs: 0,
    mode: q ? 'quick' : 'full',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    env: {
      node: process.version,
      redis: redisVersion,
      cpu: cpus()[0]?.model ?? '?',
      cores: cpus().length,
      kernel: release(),
      memGiB: Math.round(totalmem() / 2 ** 30),
      versions: Object.fromEntries(
        [
          'express',
          'passport',
          'passport-http-bearer',
          'express-session',
          'connect-redis',
          'redis',
          'ioredis',
          'pg',
          'autocannon',
          'argon2',
          'vega',
          'vega-lite',
        ].map((p) => [p, version(p)]),
      ),
      loadavgStart: load0,
      loadavgEnd: [],
      foreign: [],
    },
    notes,
  };

  try {
    if (redisVersion && (want('throughput') || want('redis') || want('scale'))) {
      single = await startRedis(await freePorts(1), { cpu: 1 });
      const c = new Redis(single.url);
      clients.push(c);
      log(`private redis-server ${redisVersion} on port ${single.port}`);
    }
    if (redisVersion && want('throughput') && selected.some((s) => s.redis === 'cluster')) {
      try {
        cluster = await startCluster(1);
        clusterError = null;
        log(`private 3-master cluster on ports ${cluster.nodes.map((n) => n.port).join(', ')}`);
      } catch (e) {
        clusterError = `the local cluster could not be started: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    if (postgresError === null && ((want('throughput') && selected.some((s) => s.postgres)) || want('postgres'))) {
      try {
        postgres = await startPostgres({ cpu: 1 });
        res.env.postgres = postgres.version;
        log(`private PostgreSQL ${postgres.version} at ${postgres.url}`);
      } catch (e) {
        postgresError = `the private PostgreSQL could not be started: ${e instanceof Error ? e.message : String(e)}`;
      }
    }

    // --- Throughput series -------------------------------------------------------------------------
    if (want('throughput')) {
      const tree = opts.compare ? prepareTree(opts.compare) : undefined;
      if (tree) log(`--compare ${opts.compare}: ${tree.sha} runs as <server>${tree.suffix} from ${tree.root}`);
      const entries: SeriesEntry[] = selected.flatMap((s) =>
        tree && s.name.startsWith('authmount') ? [s, { ...s, name: `${s.name}${tree.suffix}`, module: s.name, root: tree.root }] : [s],
      );
      const servers = entries.map((s) => ({
        ...s,
        unavailable:
          unavailable(
            { ...s, name: s.module ?? s.name },
            { single: !!single, cluster: clusterError, postgres: postgres ? null : (postgresError ?? 'not started') },
          ) ?? undefined,
      }));
      res.series = {
        config: series,
        runs: [],
        servers: servers.map(({ name, group, unavailable: u, redis }) => ({ name, group, unavailable: u, redis })),
        compare: tree && { ref: opts.compare!, sha: tree.sha!, suffix: tree.suffix },
      };
      for (const s of servers) if (s.unavailable) log(`${s.name}: not available (${s.unavailable})`);
      const singleTarget: RedisTarget | undefined = single && { ctx: { redisUrl: single.url }, clients: [clients[0]], pids: [single.pid] };
      const clusterClients = cluster?.nodes.map((n) => new Redis(n.url)) ?? [];
      clients.push(...clusterClients);
      const clusterTarget: RedisTarget | undefined = cluster && {
        ctx: { clusterNodes: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })) },
        clients: clusterClients,
        pids: cluster.nodes.map((n) => n.pid),
      };
      const pgTarget: PgTarget | undefined = postgres && { ctx: { pgUrl: postgres.url }, proc: postgres };
      const loadgen = startLoadgen();
      try {
        for (let round = 1; round <= series.rounds; round++) {
          for (const s of servers) {
            if (s.unavailable) continue;
            const target = s.redis === 'single' ? singleTarget : s.redis === 'cluster' ? clusterTarget : undefined;
            const pgt = s.postgres ? pgTarget : undefined;
            let run: Run = await runOnce(s, round, series, { count: series.count }, loadgen, target, pgt);
            log(
              `round ${round} ${s.name}: ${run.ok ? `${Math.round(run.load!.rps)} req/s, ${run.serverUsPerReq!.toFixed(0)} µs/req, other CPU ${run.otherCpuPct!.toFixed(0)}%` : `FAILED: ${run.error}`}`,
            );
            if (run.ok && run.otherCpuPct! > series.otherLimitPct && Date.now() - t0 < series.repeatBudgetMs) {
              run.discarded = true;
              res.series.runs.push(run);
              run = await runOnce(s, round, series, { count: series.count }, loadgen, target, pgt);
              log(
                `round ${round} ${s.name} (repeat): ${run.ok ? `${Math.round(run.load!.rps)} req/s, other CPU ${run.otherCpuPct!.toFixed(0)}%` : `FAILED: ${run.error}`}`,
              );
            }
            res.series.runs.push(run);
          }
        }
      } finally {
        await stopChild(loadgen);
      }
      const discarded = res.series.runs.filter((r) => r.discarded);
      if (discarded.length)
        notes.push(
          `${discarded.length} run(s) were repeated because other processes used more than ${series.otherLimitPct} % of a core in the window: ${discarded.map((r) => `round ${r.round} ${r.server} (${r.otherCpuPct!.toFixed(0)} %)`).join(', ')}.`,
        );
      const noisy = kept(res.series.runs).filter((r) => r.otherCpuPct! > series.otherLimitPct);
      if (noisy.length)
        notes.push(
          `${noisy.length} kept run(s) still had more than ${series.otherLimitPct} % foreign CPU (repeat also noisy, or the repeat budget was used up): ${noisy.map((r) => `round ${r.round} ${r.server} (${r.otherCpuPct!.toFixed(0)} %)`).join(', ')}. Their ratios are less reliable.`,
        );
    }

    // --- Login ---------------------------------------------------------------------------------------
    if (want('login')) {
      log('login: argon2 ratio and /me under a login storm');
      res.login = await runLogin(login);
    }

    // --- Login under a sign-up flood (argon2 load shedding, before and after) --------------------------
    if (want('flood')) {
      const rounds = q ? 1 : 3;
      log(`flood: a login while 150 sign-ups arrive at once, before/after load shedding, ${rounds} round(s)`);
      res.flood = await child<FloodResult>('signup-flood.ts', [String(rounds)], rounds * 240_000);
    }

    // --- Memory --------------------------------------------------------------------------------------
    if (want('memory')) {
      log(`memory: heap per token with ${heapTokens.toLocaleString('en-US')} tokens`);
      res.heap = await child<HeapResult>('memory-heap.ts', [String(heapTokens)], 300_000, ['--expose-gc', '--max-old-space-size=2048']);
    }
    if (want('redis')) {
      if (!single) res.redisBytes = { ok: false, error: 'redis-server is not installed' };
      else if (unavailable({ name: 'authmount-redis', group: 'authmount', needs: 'store-redis' }, { single: true, cluster: null })) {
        res.redisBytes = { ok: false, error: '@authmount/store-redis is not available' };
      } else {
        log(`redis: bytes per token with ${bytesTokens.toLocaleString('en-US')} tokens`);
        res.redisBytes = await child<BytesResult>('store-figures.ts', ['bytes', single.url, String(bytesTokens)], 300_000);
      }
    }

    if (want('postgres')) {
      if (!postgres) res.pgBytes = { ok: false, error: postgresError ?? 'PostgreSQL was not started' };
      else {
        log(`postgres: bytes per token with ${bytesTokens.toLocaleString('en-US')} tokens`);
        res.pgBytes = await child<PgBytesResult>('store-figures.ts', ['pgbytes', postgres.url, String(bytesTokens)], 300_000, [
          '--expose-gc',
        ]);
      }
    }

    // --- Scale ---------------------------------------------------------------------------------------
    if (want('scale')) {
      log(`scale: tokens.list with ${listOthers.toLocaleString('en-US')} other tokens`);
      const mem = await child<ListCase[]>('store-figures.ts', ['list', '-', String(listOthers)], 120_000);
      const red = single ? await child<ListCase[]>('store-figures.ts', ['list', single.url, String(listOthers)], 300_000) : undefined;
      if (!mem?.ok) res.list = mem;
      else res.list = { ok: true, value: [...mem.value, ...(red?.ok ? red.value : [])] };
      if (red && !red.ok) notes.push(`Redis list figure failed: ${red.error}`);
    }
  } finally {
    await stopAll();
  }

  res.env.loadavgEnd = loadavg();
  res.env.foreign = foreignUse(procs0, allProcs(), new Set([process.pid]), 8).filter((f) => f.pct >= 0.5);
  res.wallMs = Date.now() - t0;

  writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(res, null, 1));
  await writeOutputs(res, outDir);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
