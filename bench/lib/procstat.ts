import { readdirSync, readFileSync } from 'node:fs';

/** Linux /proc readings: CPU time of given processes and of the whole machine. Ticks are 1/100 s. */
const TICK_MS = 10;

/** utime + stime of every thread of `pid`, in ms; NaN when the process is gone. */
export function procCpuMs(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

export interface MachineCpu {
  /** ms of CPU time, summed over all cores. */
  busy: number;
  total: number;
  steal: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest is already in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
  const busy = user + nice + system + irq + softirq;
  return { busy: busy * TICK_MS, total: (busy + idle + iowait + steal) * TICK_MS, steal: steal * TICK_MS };
}

export interface ProcSnapshot {
  at: number;
  cpu: Map<number, { ms: number; comm: string }>;
}

/** CPU time of every process on the machine (to name whatever else was running during a window). */
export function allProcs(): ProcSnapshot {
  const cpu = new Map<number, { ms: number; comm: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      cpu.set(Number(d), { ms: (Number(f[11]) + Number(f[12])) * TICK_MS, comm });
    } catch {
      // raced with an exiting process
    }
  }
  return { at: Date.now(), cpu };
}

export interface ForeignUse {
  pid: number;
  comm: string;
  /** % of one core over the interval. */
  pct: number;
  cmd: string;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 120);
  } catch {
    return '';
  }
}

/** Processes other than `ours` that used CPU between two snapshots, busiest first. */
export function foreignUse(a: ProcSnapshot, b: ProcSnapshot, ours: ReadonlySet<number>, top = 5): ForeignUse[] {
  const dt = Math.max(1, b.at - a.at);
  const out: ForeignUse[] = [];
  for (const [pid, v] of b.cpu) {
    if (ours.has(pid)) continue;
    const used = v.ms - (a.cpu.get(pid)?.ms ?? 0);
    if (used <= 0) continue;
    out.push({ pid, comm: v.comm, pct: (used / dt) * 100, cmd: '' });
  }
  out.sort((x, y) => y.pct - x.pct);
  return out.slice(0, top).map((u) => ({ ...u, cmd: cmdline(u.pid) }));
}
