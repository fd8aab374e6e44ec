/**
 * Summarise V8 CPU profiles written by `npm run bench -- --profile`:
 *   node --import tsx bench/profile.ts bench/results/profiles/<server>-r<round>.cpuprofile [more...]
 * Prints the top functions by self time, and by inclusive time for authmount's own code (packages/).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

function label(n: Node): string {
  const f = n.callFrame;
  const file = f.url ? f.url.replace(/^file:\/\//, '').replace(/.*\/(node_modules|packages)\//, '$1/') : '';
  // Line numbers of .ts files refer to tsx's transpiled output, not the source: leave them out.
  const where = file ? (file.endsWith('.ts') ? path.basename(file) : `${path.basename(file)}:${f.lineNumber + 1}`) : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
}

function summarise(file: string, top = 25): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs]
    .filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName))
    .reduce((a, [, v]) => a + v, 0);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    self.set(label(n), (self.get(label(n)) ?? 0) + us);
    // Inclusive: credit every distinct function on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  console.log(`\n${path.basename(file)}: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms sampled`);
  console.log('  self time (share of busy time):');
  for (const [l, us] of [...self]
    .filter(([l]) => !l.startsWith('(idle)') && !l.startsWith('(program)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`    ${pct(us)}  ${l}`);
  console.log('  inclusive time of TypeScript functions (authmount packages and the bench server):');
  const ours = [...incl]
    .filter(([l]) => /\.ts$/.test(l))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  for (const [l, us] of ours) console.log(`    ${pct(us)}  ${l}`);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node --import tsx bench/profile.ts <file.cpuprofile> ...');
  process.exit(2);
}
for (const f of files) summarise(f);
