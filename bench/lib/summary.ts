import { FLOOR_OF, FLOOR_TARGET, TARGETED } from './floors';
import type { BenchResults } from './results';
import { median } from './stats';
import type { Run } from './throughput';

export interface ServerSummary {
  server: string;
  rounds: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  p50: number;
  p99: number;
  usPerReq: number;
  usMin: number;
  usMax: number;
  deltaUs: number;
  redisCmdsUnderLoad?: number;
  redisUsPerReq?: number;
  redisCpuPct?: number;
  exact?: Run['exact'];
  /** The hand-written floor this server is held against (lib/floors.ts), and its added CPU as a multiple of the floor's. */
  floor?: string;
  floorMultiple?: number;
  /** Per round: (server µs − bare µs) / (floor µs − bare µs), all three from that round. */
  floorMultiples?: number[];
}

/** The server a run name stands for: `authmount-memory@1a2b3c4` (a compared commit) → `authmount-memory`. */
export const baseName = (server: string) => server.split('@')[0];

/**
 * Added CPU as a multiple of the floor's, per round: (µs(server) − µs(bare)) / (µs(floor) − µs(bare)).
 * A compared commit's servers are held against the same floor and bare runs (those load no authmount code).
 */
export function floorMultiples(runs: readonly Run[], server: string): number[] {
  const floor = FLOOR_OF[baseName(server)];
  if (!floor) return [];
  const us = (name: string) =>
    new Map(
      kept(runs)
        .filter((r) => r.server === name)
        .map((r) => [r.round, r.serverUsPerReq!]),
    );
  const s = us(server);
  const f = us(floor);
  const b = us('bare');
  const out: number[] = [];
  for (const [round, x] of s) {
    const y = f.get(round);
    const z = b.get(round);
    if (y !== undefined && z !== undefined) out.push((x - z) / (y - z));
  }
  return out;
}

/** The runs that count: successful and not discarded for foreign load. */
export function kept(runs: readonly Run[]): Run[] {
  return runs.filter((r) => r.ok && !r.discarded);
}

function byRound(runs: readonly Run[], server: string): Map<number, Run> {
  return new Map(
    kept(runs)
      .filter((r) => r.server === server)
      .map((r) => [r.round, r]),
  );
}

/** Median over rounds of a/b, both from the same round (rounds where either is missing are skipped). */
export function pairedRatio(runs: readonly Run[], a: string, b: string, f: (r: Run) => number = (r) => r.load!.rps): number[] {
  const ra = byRound(runs, a);
  const rb = byRound(runs, b);
  const out: number[] = [];
  for (const [round, x] of ra) {
    const y = rb.get(round);
    if (y) out.push(f(x) / f(y));
  }
  return out;
}

export function summarize(res: BenchResults): ServerSummary[] {
  const runs = res.series?.runs ?? [];
  const out: ServerSummary[] = [];
  const bareUs = median(
    kept(runs)
      .filter((r) => r.server === 'bare')
      .map((r) => r.serverUsPerReq!),
  );
  for (const s of res.series?.servers ?? []) {
    const rs = kept(runs).filter((r) => r.server === s.name);
    if (rs.length === 0) continue;
    const rps = rs.map((r) => r.load!.rps);
    const us = rs.map((r) => r.serverUsPerReq!);
    const ratios = pairedRatio(runs, s.name, 'bare');
    const exacts = rs.map((r) => r.exact).filter((e): e is NonNullable<Run['exact']> => e !== undefined);
    out.push({
      server: s.name,
      rounds: rs.length,
      rps: median(rps),
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
      ratio: median(ratios),
      ratioMin: ratios.length ? Math.min(...ratios) : NaN,
      ratioMax: ratios.length ? Math.max(...ratios) : NaN,
      p50: median(rs.map((r) => r.load!.p50)),
      p99: median(rs.map((r) => r.load!.p99)),
      usPerReq: median(us),
      usMin: Math.min(...us),
      usMax: Math.max(...us),
      deltaUs: median(us) - bareUs,
      redisCmdsUnderLoad: s.redis ? median(rs.map((r) => r.redisCmdsPerReq ?? NaN)) : undefined,
      redisUsPerReq: s.redis ? median(rs.map((r) => r.redisUsPerReq ?? NaN)) : undefined,
      redisCpuPct: s.redis ? median(rs.map((r) => r.redisCpuPct ?? NaN)) : undefined,
      exact: exacts.length ? exacts[exacts.length - 1] : undefined,
      floor: FLOOR_OF[baseName(s.name)],
      floorMultiple: median(floorMultiples(runs, s.name)),
      floorMultiples: floorMultiples(runs, s.name),
    });
  }
  return out;
}

export interface TargetRow {
  target: string;
  measured: string;
  verdict: 'met' | 'missed' | 'n/a';
  note?: string;
  /** What a hand-written floor reached on the same comparison in this run (the practical ceiling). */
  ceiling?: string;
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const range = (xs: number[]) => (xs.length > 1 ? ` (rounds: ${xs.map(f2).join(', ')})` : '');

/** The issue's targets, each checked against ratios from the same run. */
export function targets(res: BenchResults): TargetRow[] {
  const runs = res.series?.runs ?? [];
  const sum = new Map(summarize(res).map((s) => [s.server, s]));
  const rows: TargetRow[] = [];
  const ceiling = (floor: string | undefined, b: string) => {
    if (!floor) return undefined;
    const xs = pairedRatio(runs, floor, b);
    return xs.length ? `${floor}: ${f2(median(xs))}` : undefined;
  };
  const ratioRow = (label: string, a: string, b: string, min: number, floor?: string) => {
    const xs = pairedRatio(runs, a, b);
    if (xs.length === 0) return rows.push({ target: label, measured: `not measured (${a} or ${b} missing)`, verdict: 'n/a' });
    const m = median(xs);
    rows.push({
      target: label,
      measured: `${f2(m)}${range(xs)}`,
      verdict: m >= min ? 'met' : 'missed',
      note: m >= min ? undefined : `short by ${f2(min - m)} (${((1 - m / min) * 100).toFixed(1)} %)`,
      ceiling: ceiling(floor, b),
    });
  };
  // Issue 18: a guard's added CPU (server µs per request over bare Express) ≤ 1.5× its floor's, same round.
  for (const server of TARGETED) {
    const floor = FLOOR_OF[server];
    const xs = floorMultiples(runs, server);
    const label = `\`${server}\`: added CPU per request ≤ ${FLOOR_TARGET}× ${floor}'s (issue 18)`;
    if (xs.length === 0) {
      rows.push({ target: label, measured: `not measured (${server}, ${floor} or bare missing)`, verdict: 'n/a' });
      continue;
    }
    const m = median(xs);
    const s = sum.get(server);
    const f = sum.get(floor);
    rows.push({
      target: label,
      measured: `${f2(m)}×${range(xs)}; +${s ? Math.round(s.deltaUs) : '?'} vs +${f ? Math.round(f.deltaUs) : '?'} µs/req (medians)`,
      verdict: m <= FLOOR_TARGET ? 'met' : 'missed',
      note: m <= FLOOR_TARGET ? undefined : `over by ${f2(m - FLOOR_TARGET)}×`,
    });
  }
  const redisUs = pairedRatio(runs, 'authmount-redis', 'redis-floor', (r) => r.redisUsPerReq ?? NaN).filter(Number.isFinite);
  if (redisUs.length) {
    const m = median(redisUs);
    rows.push({
      target: `Redis CPU per request ≤ ${FLOOR_TARGET}× the floor's GETEX (issue 18)`,
      measured: `${f2(m)}×${range(redisUs)}; ${f2(sum.get('authmount-redis')?.redisUsPerReq ?? NaN)} vs ${f2(sum.get('redis-floor')?.redisUsPerReq ?? NaN)} µs/req`,
      verdict: m <= FLOOR_TARGET ? 'met' : 'missed',
      note: m <= FLOOR_TARGET ? undefined : `over by ${f2(m - FLOOR_TARGET)}×`,
    });
  }
  ratioRow('Memory store `requireAuth` ≥ 0.93 of bare Express', 'authmount-memory', 'bare', 0.93, 'map-bearer');
  ratioRow('Memory store `requireAuth` ≥ 1.4× passport-http-bearer', 'authmount-memory', 'passport-bearer', 1.4, 'map-bearer');
  const red = sum.get('authmount-redis');
  if (red?.exact) {
    const e = red.exact;
    const ok = Math.abs(e.perReq - 1) < 1e-9;
    rows.push({
      target: 'Redis store: exactly 1 Redis command per authenticated request (sliding included)',
      measured: `${f2(e.perReq)} client command (${Object.entries(e.cmds)
        .map(([k, v]) => `${k.toUpperCase()} ×${f2(v)}`)
        .join(
          ' + ',
        )}) per request over ${e.requests} sequential requests; under load ${f2(red.redisCmdsUnderLoad ?? NaN)} commands executed per request, counting the ${f2(e.scriptPerReq)} run inside the script`,
      verdict: ok ? 'met' : 'missed',
    });
  } else rows.push({ target: 'Redis store: exactly 1 Redis command per authenticated request', measured: 'not measured', verdict: 'n/a' });
  ratioRow('Redis store ≥ 0.80 of bare Express', 'authmount-redis', 'bare', 0.8, 'redis-floor');
  ratioRow('Redis store ≥ 0.95 of the hand-written one-round-trip floor', 'authmount-redis', 'redis-floor', 0.95);
  ratioRow('Redis store ≥ 2× express-session + connect-redis', 'authmount-redis', 'session-redis', 2, 'redis-floor');
  const pgs = sum.get('authmount-postgres');
  if (pgs?.exact) {
    const e = pgs.exact;
    const underLoad = median(
      kept(runs)
        .filter((r) => r.server === 'authmount-postgres')
        .map((r) => r.pgXactPerReq ?? NaN),
    );
    rows.push({
      target: 'PostgreSQL store: one statement per authenticated request (validate + slide)',
      measured: `${f2(e.perReq)} statement (${Object.entries(e.cmds)
        .map(([k, v]) => `${k} ×${f2(v)}`)
        .join(
          ' + ',
        )}) per request over ${e.requests} sequential requests (pg_stat_statements); under load ${f2(underLoad)} statements per 2xx`,
      verdict: Math.abs(e.perReq - 1) < 1e-9 ? 'met' : 'missed',
    });
  } else rows.push({ target: 'PostgreSQL store: one statement per authenticated request', measured: 'not measured', verdict: 'n/a' });
  ratioRow('PostgreSQL store ≥ 0.90 of the hand-written one-statement floor', 'authmount-postgres', 'postgres-floor', 0.9);
  const lr = res.login?.ratio;
  if (lr) {
    rows.push({
      target: 'Login throughput ≥ 0.9× raw argon2 verify rate',
      measured: `${f2(lr.medianRatio)}${range(lr.rounds.map((r) => r.ratio))}`,
      verdict: lr.medianRatio >= 0.9 ? 'met' : 'missed',
      note: lr.medianRatio >= 0.9 ? undefined : `short by ${f2(0.9 - lr.medianRatio)}`,
    });
  } else
    rows.push({
      target: 'Login throughput ≥ 0.9× raw argon2 verify rate',
      measured: res.login?.ratioError ?? 'not measured',
      verdict: 'n/a',
    });
  const st = res.login?.storm;
  if (st) {
    // Issue 18: in every round, not just the median.
    const worst = Math.max(...st.rounds.map((r) => r.storm.p99 / r.idle.p99));
    rows.push({
      target: '`/me` p99 during a login storm ≤ 2× its idle p99, in every round',
      measured: `${f2(st.factor)}× (idle ${f2(st.idleP99)} ms → storm ${f2(st.stormP99)} ms, medians)${range(st.rounds.map((r) => r.storm.p99 / r.idle.p99))}`,
      verdict: worst <= 2 ? 'met' : 'missed',
      note: worst <= 2 ? undefined : `worst round ${f2(worst)}×`,
    });
  } else
    rows.push({
      target: '`/me` p99 during a login storm ≤ 2× its idle p99',
      measured: res.login?.stormError ?? 'not measured',
      verdict: 'n/a',
    });
  if (res.heap?.ok) {
    const h = res.heap.value;
    rows.push({
      target: 'Memory store ≤ 400 bytes of heap per live token',
      measured: `${h.bytesPerToken.toFixed(0)} B/token (${h.tokens.toLocaleString('en-US')} tokens)`,
      verdict: h.bytesPerToken <= 400 ? 'met' : 'missed',
      note:
        h.bytesPerToken <= 400
          ? undefined
          : `over by ${(h.bytesPerToken - 400).toFixed(0)} B (${((h.bytesPerToken / 400 - 1) * 100).toFixed(1)} %)`,
    });
    rows.push({
      target: 'Heap back within 10 % of the baseline after expiry',
      measured: `${(h.afterVsBaseline * 100).toFixed(1)} % above the baseline after the sweep`,
      verdict: h.afterVsBaseline <= 0.1 ? 'met' : 'missed',
    });
  } else
    rows.push({
      target: 'Memory store ≤ 400 bytes of heap per live token',
      measured: res.heap && !res.heap.ok ? res.heap.error : 'not measured',
      verdict: 'n/a',
    });
  return rows;
}
