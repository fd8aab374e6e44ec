import type { StormResult } from './login';
import type { BenchResults } from './results';
import { median } from './stats';
import { kept, pairedRatio, summarize, targets } from './summary';
import type { Run } from './throughput';

const n0 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));
const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));
const mb = (x: number) => `${(x / 1048576).toFixed(1)} MiB`;
const cmds = (o: Record<string, number> | undefined) =>
  o && Object.keys(o).length
    ? Object.entries(o)
        .sort()
        .map(([k, v]) => `${k.toUpperCase()} ×${f2(v)}`)
        .join(' + ')
    : 'none';

function table(head: string[], align: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The main table: also what `npm run bench` prints. */
export function summaryTable(res: BenchResults): string {
  const rows = summarize(res).map((s) => [
    s.server,
    `${n0(s.rps)} (${n0(s.rpsMin)}–${n0(s.rpsMax)})`,
    s.server === 'bare' ? '1.00' : `${f2(s.ratio)} (${f2(s.ratioMin)}–${f2(s.ratioMax)})`,
    f2(s.p50),
    f2(s.p99),
    `${n0(s.usPerReq)} (${n0(s.usMin)}–${n0(s.usMax)})`,
    s.server === 'bare' ? '0' : `${s.deltaUs >= 0 ? '+' : ''}${n0(s.deltaUs)}`,
    s.floor && Number.isFinite(s.floorMultiple)
      ? `${f2(s.floorMultiple)}× ${s.floor}${(s.floorMultiples ?? []).length > 1 ? ` (${s.floorMultiples!.map(f2).join(', ')})` : ''}`
      : '–',
    s.exact ? `${f2(s.exact.perReq)} (${cmds(s.exact.cmds)})` : '–',
    s.exact ? `${f2(s.redisCmdsUnderLoad)}${s.exact.scriptPerReq > 0 ? ` (${f2(s.exact.scriptPerReq)} in script)` : ''}` : '–',
  ]);
  const missing = (res.series?.servers ?? [])
    .filter((s) => s.unavailable)
    .map((s) => [s.name, `not available: ${s.unavailable}`, '', '', '', '', '', '', '', '']);
  const failed = (res.series?.servers ?? [])
    .filter((s) => !s.unavailable && !kept(res.series!.runs).some((r) => r.server === s.name))
    .map((s) => [
      s.name,
      `failed: ${res.series!.runs.find((r) => r.server === s.name && r.error)?.error ?? 'no run kept'}`,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
  return table(
    [
      'server',
      'req/s (min–max)',
      'ratio to bare (min–max)',
      'p50 ms',
      'p99 ms',
      'server CPU µs/req (min–max)',
      'Δ vs bare µs/req',
      "**added CPU as a multiple of its floor's** (rounds)",
      'Redis commands (PostgreSQL statements) sent per request (exact)',
      'Redis commands executed per request, under load',
    ],
    ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---:'],
    [...rows, ...failed, ...missing],
  );
}

/** `--compare`: each authmount server beside the same server on the compared commit, same rounds. */
export function compareTable(res: BenchResults): string | null {
  const c = res.series?.compare;
  if (!c) return null;
  const sums = new Map(summarize(res).map((s) => [s.server, s]));
  const runs = res.series!.runs;
  const rows: string[][] = [];
  for (const s of res.series!.servers) {
    if (!s.name.startsWith('authmount') || s.name.includes('@')) continue;
    const a = sums.get(s.name);
    const b = sums.get(`${s.name}${c.suffix}`);
    if (!a || !b) continue;
    const diff = pairedRatio(runs, s.name, `${s.name}${c.suffix}`, (r) => r.serverUsPerReq!);
    rows.push([
      s.name,
      `${n0(a.usPerReq)} (+${n0(a.deltaUs)})`,
      `${n0(b.usPerReq)} (+${n0(b.deltaUs)})`,
      `${f2(median(diff))}${diff.length > 1 ? ` (${diff.map(f2).join(', ')})` : ''}`,
      a.floor ? `${f2(a.floorMultiple)}× → was ${f2(b.floorMultiple)}×` : '–',
      a.redisUsPerReq !== undefined ? `${f1(a.redisUsPerReq)} (was ${f1(b.redisUsPerReq)})` : '–',
    ]);
  }
  return table(
    [
      'server',
      'server CPU µs/req (Δ vs bare), this tree',
      `same, \`${c.ref}\` (${c.sha.slice(0, 7)})`,
      'this / compared, per round (rounds)',
      "added CPU as a multiple of the floor's",
      'Redis CPU µs/req',
    ],
    ['---', '---:', '---:', '---:', '---', '---:'],
    rows,
  );
}

export function targetTable(res: BenchResults): string {
  return table(
    ['target (issues 7 and 18)', 'measured (same run)', 'verdict', 'same ratio for a hand-written floor, this run'],
    ['---', '---', '---', '---'],
    targets(res).map((t) => [
      t.target,
      t.measured,
      t.verdict === 'met' ? '**met**' : t.verdict === 'missed' ? `**missed**${t.note ? `: ${t.note}` : ''}` : 'not measured',
      t.ceiling ?? '',
    ]),
  );
}

function rawTable(res: BenchResults): string {
  const runs = res.series?.runs ?? [];
  const bare = new Map(
    kept(runs)
      .filter((r) => r.server === 'bare')
      .map((r) => [r.round, r.load!.rps]),
  );
  const row = (r: Run): string[] => {
    const l = r.load;
    const name = r.discarded ? `${r.server} **(discarded, repeated)**` : r.server;
    if (!r.ok && !l) return [String(r.round), name, `failed: ${r.error ?? ''}`, ...Array(17).fill('')];
    return [
      String(r.round),
      r.ok ? name : `${name} **(failed: ${r.error})**`,
      n0(l?.rps),
      f2(l && bare.get(r.round) ? l.rps / bare.get(r.round)! : NaN),
      f2(l?.p50),
      f2(l?.p90),
      f2(l?.p99),
      f2(l?.p999),
      f1(l?.max),
      n0(l?.ok),
      f1(r.serverCpuPct),
      f1(r.serverUsPerReq),
      f1(r.loadgenCpuPct),
      f1(r.redisCpuPct),
      f1(r.machineBusyPct),
      f1(r.otherCpuPct),
      f1(r.stealPct),
      r.redisCmds
        ? `${f2(r.redisCmdsPerReq)}: ${Object.entries(r.redisCmds)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : '–',
      n0(l?.bytesPerResponse),
      (r.foreign ?? [])
        .filter((f) => f.pct >= 2)
        .map((f) => `${f.comm} ${f.pct.toFixed(0)}%`)
        .join(', ') || '–',
    ];
  };
  return table(
    [
      'round',
      'server',
      'req/s',
      'ratio to bare',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      '2xx in window',
      'server CPU %',
      'server µs/req',
      'loadgen CPU %',
      'Redis CPU %',
      'machine busy %',
      'other CPU %',
      'steal %',
      'Redis commands executed in window (per req: counts)',
      'bytes/resp',
      'other processes ≥ 2 % of a core',
    ],
    [
      '---:',
      '---',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---',
      '---:',
      '---',
    ],
    runs.map(row),
  );
}

function stormTable(s: StormResult, label: string): string {
  return table(
    [
      'round',
      'idle p50 ms',
      'idle p99 ms',
      'storm p50 ms',
      'storm p99 ms',
      'p99 storm / idle',
      'logins/s during storm',
      'event-loop delay p99 idle → storm, ms',
    ],
    ['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
    [
      ...s.rounds.map((x, i) => [
        String(i + 1),
        f2(x.idle.p50),
        f2(x.idle.p99),
        f2(x.storm.p50),
        f2(x.storm.p99),
        f2(x.storm.p99 / x.idle.p99),
        f1(x.logins.rps),
        `${f1(x.idleLoop.p99)} → ${f1(x.stormLoop.p99)}`,
      ]),
      [
        `median, ${label}`,
        '',
        f2(s.idleP99),
        '',
        f2(s.stormP99),
        `**${f2(s.factor)}**`,
        f1(s.loginsPerSec),
        `${f1(s.idleLoopP99)} → ${f1(s.stormLoopP99)}`,
      ],
    ],
  );
}

export function renderReport(res: BenchResults, chartFile: string, readmeLink: string, rerendered = false): string {
  const e = res.env;
  const cfg = res.series?.config;
  const L: string[] = [];
  const p = (s = '') => L.push(s);
  p(`# authmount benchmarks${res.mode === 'quick' ? ' (quick mode: indicative only)' : ''}`);
  p();
  p(
    `Measured by \`${res.command}\` on ${res.startedAt} (wall time ${(res.wallMs / 60000).toFixed(1)} min). Raw numbers: \`latest.json\` next to this file${rerendered ? ' (this report and the chart were re-rendered from it with `--report-from`)' : ''}. Method, design choices and what bounds the missed targets: [bench/README.md](${readmeLink}).`,
  );
  p();
  p(`![Throughput relative to bare Express](${chartFile})`);
  p();
  p('## Targets');
  p();
  p(targetTable(res));
  p();
  const cmp = compareTable(res);
  if (cmp) {
    p(`## Before / after: this tree vs \`${res.series!.compare!.ref}\` in the same rounds`);
    p();
    p(
      `Every authmount server ran twice per round, back to back: with this tree's code and with the library code (\`packages/\`) of ${res.series!.compare!.sha} (same bench, same servers, same floors). Runs of the compared commit are named \`<server>${res.series!.compare!.suffix}\` in the tables below.`,
    );
    p();
    p(cmp);
    p();
  }
  p('## Throughput: authmount and its peers (median of the rounds)');
  p();
  p(summaryTable(res));
  p();
  if (cfg) {
    p(
      `Each server ran ${cfg.rounds} time(s), rounds interleaved (every server once per round, in the order of the table), each in a fresh process: ${cfg.count.toLocaleString('en-US')} credentials seeded, ${cfg.hot.toLocaleString('en-US')} of them hot, ${cfg.connections} keep-alive connections (autocannon, pipelining 1), ${cfg.warmMs / 1000} s warm-up then a ${cfg.windowMs / 1000} s measured window. "ratio to bare" is computed within each round and the median is shown; "server CPU µs/req" is the server process's CPU time (all threads) over the window divided by its 2xx responses, the measure least sensitive to the load generator sharing the machine. "Redis commands sent" is the exact count of commands the server sent per request (${cfg.exactRequests.toLocaleString('en-US')} sequential requests under MONITOR, load stopped); "executed under load" is \`INFO commandstats\` over the window, which also counts the commands a Lua script runs inside Redis (no round trip of their own).`,
    );
    p();
  }
  const sums = summarize(res).filter((s) => s.redisUsPerReq !== undefined);
  if (sums.length) {
    p('### Redis detail');
    p();
    p(
      table(
        [
          'server',
          'Redis CPU % of one core',
          'Redis CPU µs/req',
          'commands sent per request (exact)',
          'commands run inside scripts per request',
        ],
        ['---', '---:', '---:', '---', '---'],
        sums.map((s) => [
          s.server,
          f1(s.redisCpuPct),
          f1(s.redisUsPerReq),
          s.exact ? `${f2(s.exact.perReq)}: ${cmds(s.exact.cmds)}` : '–',
          s.exact ? cmds(s.exact.scriptCmds) : '–',
        ]),
      ),
    );
    p();
    const single = summarize(res).find((s) => s.server === 'authmount-redis');
    const cluster = summarize(res).find((s) => s.server === 'authmount-redis-cluster');
    if (single && cluster) {
      p(
        `**Cluster vs single node:** authmount-redis on the 3-master cluster ran at ${f2(cluster.rps / single.rps)}× the req/s of the single node (median ${n0(cluster.rps)} vs ${n0(single.rps)} req/s), ${n0(cluster.usPerReq)} vs ${n0(single.usPerReq)} server CPU µs/req. All three masters run on the same CPU as the load generator here, so this shows the client-side cost of cluster routing, not the capacity a real multi-machine cluster adds.`,
      );
      p();
    }
  }
  const lg = res.login;
  if (lg) {
    p('## Login path (argon2id)');
    p();
    if (lg.ratio) {
      const r = lg.ratio;
      p(
        `In one process, rounds interleaved, ${r.params} (core's defaults), core's hashing concurrency = ${r.maxConcurrent} (CPU cores). "raw" is \`argon2.verify\` on the same hash; "login" is \`accounts.login\` (throttle check, user lookup, verify) + \`tokens.issue\`, 8 calls in flight. The reference is the better raw set-up of the round.`,
      );
      p();
      p(
        table(
          ['round', 'raw verify/s, 4 in flight', 'raw verify/s, 2 in flight', 'logins/s', 'login / best raw'],
          ['---:', '---:', '---:', '---:', '---:'],
          [
            ...r.rounds.map((x, i) => [String(i + 1), f1(x.raw4PerSec), f1(x.raw2PerSec), f1(x.loginPerSec), f2(x.ratio)]),
            ['median', f1(r.medianRaw4), f1(r.medianRaw2), f1(r.medianLogin), `**${f2(r.medianRatio)}**`],
          ],
        ),
      );
      p();
    } else p(`Login throughput: not measured (${lg.ratioError}).`);
    if (lg.storm) {
      const s = lg.storm;
      p(
        `\`/me\` latency at a fixed ${s.rounds[0]?.idle.rps ? Math.round(s.rounds[0].idle.rps) : ''} req/s (open loop, evenly spaced, latency from the intended send time), idle and while 8 connections keep \`POST /auth/login\` busy (per-IP throttle off for the test; the server process unpinned so argon2 can use both cores). Server-side event-loop delay from \`monitorEventLoopDelay\`.`,
      );
      p();
      p(stormTable(s, `core's default hashing concurrency (${s.hashConcurrency} = CPU cores)`));
      p();
      if (lg.altStorm) {
        p(
          stormTable(
            lg.altStorm,
            `\`hashing: { maxConcurrent: ${lg.altStorm.hashConcurrency} }\` (one core left to the event loop), same test, run after the default one`,
          ),
        );
        p();
      }
    } else p(`Login storm: not measured (${lg.stormError}).`);
  }
  const fl = res.flood;
  if (fl) {
    p('## A login during a sign-up flood (argon2 load shedding)');
    p();
    if (fl.ok) {
      const v = fl.value;
      p(
        `A fresh server process per run (default argon2id parameters, core's hashing concurrency, memory store), the client in another process. ${v.flood} CB-Token sign-ups (\`POST /cb/users\`, each from its own X-Forwarded-For address, so no sign-up budget refuses them) are sent at once; 50 ms later one \`POST /auth/login\` of a seeded user from another address is timed. "before": \`hashing.maxQueue: false\` (one unbounded first-come line); "after": core's default (\`maxQueue: ${v.maxQueueAfter}\` per line, verifications before new hashes, the rest shed with 503 + Retry-After). Set-ups interleaved, order flipped every round.`,
      );
      p();
      p(
        table(
          [
            'round',
            'set-up',
            'idle login ms (median of 5)',
            'login during flood ms',
            'login status',
            'sign-ups 201 / 503',
            'flood done after ms',
          ],
          ['---:', ':--', '---:', '---:', '---:', '---:', '---:'],
          v.rounds.map((x) => [
            String(x.round),
            x.setup,
            n0(x.idleMs),
            n0(x.loginMs),
            String(x.loginStatus),
            `${x.signups['201'] ?? 0} / ${x.signups['503'] ?? 0}`,
            n0(x.floodMs),
          ]),
        ),
      );
      p();
      p(
        `**Median login during the flood: ${n0(v.summary.before.loginMs)} ms before, ${n0(v.summary.after.loginMs)} ms after** (idle: ${n0(v.summary.before.idleMs)} / ${n0(v.summary.after.idleMs)} ms); sign-ups shed after: median ${n0(v.summary.after.shed)} of ${v.flood}.`,
      );
    } else p(`Not measured (${fl.error}).`);
    p();
  }
  p('## Memory');
  p();
  if (res.heap?.ok) {
    const h = res.heap.value;
    p(
      table(
        ['figure', 'value'],
        ['---', '---:'],
        [
          ['live tokens (5 per user, issued through core)', h.tokens.toLocaleString('en-US')],
          [
            'heap baseline (after a warm-up cycle of ' + h.warmTokens.toLocaleString('en-US') + ' tokens issued, expired, swept)',
            mb(h.baselineHeap),
          ],
          ['heap with the tokens live', mb(h.liveHeap)],
          ['**heap bytes per live token**', `**${h.bytesPerToken.toFixed(0)}**`],
          [
            'heap after expiry + sweep',
            `${mb(h.afterSweepHeap)} (${h.afterVsBaseline >= 0 ? '+' : ''}${(h.afterVsBaseline * 100).toFixed(1)} % vs baseline)`,
          ],
          ['tokens left in the store after the sweep', String(h.storeTokensAfter)],
          ['time to issue them (one process, 1,000 in flight)', `${(h.issueMs / 1000).toFixed(1)} s`],
          ['time of the one sweep that reclaimed them all (blocks the event loop)', `${h.sweepMs.toFixed(0)} ms`],
          ['heap before the warm-up cycle (for reference)', mb(h.coldHeap)],
        ],
      ),
    );
  } else p(`Heap per token: ${res.heap ? (res.heap.ok ? '' : `failed: ${res.heap.error}`) : 'not measured'}.`);
  p();
  if (res.redisBytes?.ok) {
    const b = res.redisBytes.value;
    p(
      `Redis (\`INFO memory\` \`used_memory\` delta, private redis-server, ${b.tokens.toLocaleString('en-US')} tokens, ${b.tokensPerUser} per user): **${b.authmountBytesPerToken.toFixed(0)} bytes per authmount token** (${b.keysPerToken.toFixed(2)} keys per token: the token hash plus a share of its owner's index). For reference, the same count of the floor's \`tok:<token>\` → \`{"userId":n}\` strings takes ${b.floorBytesPerToken.toFixed(0)} B each, and connect-redis sessions (the JSON express-session stores) ${b.sessionBytesPerSession.toFixed(0)} B each; neither keeps a per-user index, an absolute expiry, scopes or a device name.`,
    );
  } else p(`Redis bytes per token: ${res.redisBytes ? (res.redisBytes.ok ? '' : `failed: ${res.redisBytes.error}`) : 'not measured'}.`);
  p();
  if (res.pgBytes?.ok) {
    const b = res.pgBytes.value;
    p(
      `PostgreSQL (\`pg_table_size\` + \`pg_indexes_size\` delta of \`tokens\`, private server, ${b.tokens.toLocaleString('en-US')} tokens, ${b.tokensPerUser} per user): **${b.totalBytesPerToken.toFixed(0)} bytes per authmount token** (table ${b.tableBytesPerToken.toFixed(0)} B including the 20 % fillfactor room that keeps each slide a HOT update, indexes ${b.indexBytesPerToken.toFixed(0)} B: primary key, per-user, absolute expiry). The floor's \`floor_tokens\` row (token text key, user id, expiry) takes ${b.floorBytesPerToken.toFixed(0)} B. Node heap growth of the process over the issue, per token: ${b.heapBytesPerToken.toFixed(1)} B (the store holds no per-token object in memory).`,
    );
  } else if (res.pgBytes) p(`PostgreSQL bytes per token: failed: ${res.pgBytes.ok ? '' : res.pgBytes.error}.`);
  p();
  p("## Scale: listing one user's tokens");
  p();
  if (res.list?.ok) {
    p(
      table(
        ['store', "user's own tokens", "other users' tokens in the store", '`tokens.list` median µs', 'p90 µs'],
        ['---', '---:', '---:', '---:', '---:'],
        res.list.value.map((c) => [c.store, String(c.own), c.others.toLocaleString('en-US'), n0(c.medianUs), n0(c.p90Us)]),
      ),
    );
    p();
    p(
      "The cost follows the user's own count (10 → 100 tokens) and not the store's size (0 → the others' tokens): the memory store reads a per-user set, the Redis store a per-user sorted set plus one script per slot.",
    );
  } else p(`Not measured${res.list && !res.list.ok ? `: ${res.list.error}` : ''}.`);
  p();
  p('## Machine, versions, other load');
  p();
  p(
    `- **Machine:** ${e.cores} vCPUs (${e.cpu}), ${e.memGiB} GiB RAM, Linux ${e.kernel}. Node ${e.node}, Redis ${e.redis ?? 'not installed'}${e.postgres ? `, PostgreSQL ${e.postgres}` : ''}.`,
  );
  p(
    `- **Pinning** (taskset): each server process alone on CPU 0; the load generator and the private Redis (single node and cluster) share CPU 1. The login figures leave the server unpinned (argon2 needs both cores).`,
  );
  p(
    `- **Versions:** ${Object.entries(e.versions)
      .map(([k, v]) => `${k}@${v}`)
      .join(', ')}.`,
  );
  p(
    `- **Other load:** load average ${e.loadavgStart.map((x) => x.toFixed(2)).join(' / ')} at the start and ${e.loadavgEnd.map((x) => x.toFixed(2)).join(' / ')} at the end. Other processes that used CPU during the bench (% of one core over the whole run): ${e.foreign.map((f) => `${f.comm} ${f.pct.toFixed(1)}%${f.cmd ? ` (\`${f.cmd.replace(/`/g, "'").slice(0, 70)}\`)` : ''}`).join('; ') || 'none measurable'}. Other engineers' test runs share this 2-core VM; the "other CPU %" column of the raw table says how much of it fell in each window.`,
  );
  p();
  if (res.series) {
    p('## Raw numbers per run');
    p();
    p(rawTable(res));
    p();
    p(
      `"other CPU %" = machine busy time − server − load generator − Redis, in % of one core: CPU used by anything else in the window (the orchestrator, the kernel, other engineers' jobs). A run with more than ${res.series.config.otherLimitPct} % is repeated once right away while the time budget allows; the discarded run stays in this table, marked, and is left out of the summary.`,
    );
    p();
    p('Preflight checks, passed before every measured run (a server that fails them is not measured):');
    p();
    const seen = new Set<string>();
    for (const r of res.series.runs) {
      if (seen.has(r.server) || r.preflight.length === 0) continue;
      seen.add(r.server);
      p(`- ${r.server}: ${r.preflight.join('; ')}; every request of the run reached the protected handler.`);
    }
    p();
    p('Servers:');
    p();
    for (const s of res.series.servers) {
      const d = res.series.runs.find((r) => r.server === s.name && r.describe)?.describe;
      p(`- **${s.name}**: ${s.unavailable ? `not available (${s.unavailable}).` : (d ?? '')}`);
    }
    p();
  }
  if (res.notes.length) {
    p('## Notes');
    p();
    for (const n of res.notes) p(`- ${n}`);
    p();
  }
  return L.join('\n');
}
