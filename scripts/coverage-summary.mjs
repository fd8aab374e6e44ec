// Coverage per package, from jest's coverage/coverage-summary.json (npm run coverage writes it).
// Prints a table, and the `coverageThreshold` block that would hold each package at what it reaches now
// (rounded down), for when the floors are set (issue 20, part 2).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const summary = JSON.parse(readFileSync(process.argv[2] ?? 'coverage/coverage-summary.json', 'utf8'));
const KINDS = ['lines', 'statements', 'functions', 'branches'];
const packages = new Map();
for (const [file, s] of Object.entries(summary)) {
  if (file === 'total') continue;
  const m = /^packages\/([^/]+)\/src\//.exec(relative(process.cwd(), file).split('\\').join('/'));
  if (!m) continue;
  const p = packages.get(m[1]) ?? Object.fromEntries(KINDS.map((k) => [k, { covered: 0, total: 0 }]));
  for (const k of KINDS) {
    p[k].covered += s[k].covered;
    p[k].total += s[k].total;
  }
  packages.set(m[1], p);
}
const pct = (c) => (c.total ? (100 * c.covered) / c.total : 100);
console.log(`| package | ${KINDS.join(' | ')} |`);
console.log(`|---|${KINDS.map(() => '---:').join('|')}|`);
for (const [name, p] of [...packages].sort()) console.log(`| ${name} | ${KINDS.map((k) => `${pct(p[k]).toFixed(1)} %`).join(' | ')} |`);
console.log(`| **all** | ${KINDS.map((k) => `${summary.total[k].pct.toFixed(1)} %`).join(' | ')} |`);
console.log("\ncoverageThreshold at today's figures, rounded down:");
const floors = {};
for (const [name, p] of [...packages].sort())
  floors[`./packages/${name}/src/`] = Object.fromEntries(KINDS.map((k) => [k, Math.floor(pct(p[k]))]));
console.log(JSON.stringify(floors, null, 2));
