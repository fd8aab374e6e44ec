// npm run mutate [-- <group>… | --fast | --changed[=<git ref>]] [--break <score>] [--list]
//
// Mutation testing of the security core with StrykerJS: one Stryker run per group of scripts/mutation-groups.mjs,
// each mutating only its files and running only its test files (stryker.config.mjs holds the shared options).
// Prints one line per mutated file and a total; reports go to reports/mutation/<group>/ (html, json, and the
// incremental file that lets a re-run skip unchanged mutants). Exit code 1 when a group scores below --break.
//   no argument      every group (the whole scope; long: see docs/mutation.md for timings)
//   <group>…         those groups
//   --fast           the fixed fast subset (FAST_SUBSET)
//   --changed[=ref]  the groups whose mutated files or test files differ from `ref` (default: HEAD~1)
//   --force          ignore the incremental file: every mutant is tested again (use it for the scores you report)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import base from '../stryker.config.mjs';
import { FAST_SUBSET, GROUPS } from './mutation-groups.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a === name || a.startsWith(`${name}=`));
const breakAt = (() => {
  const i = args.indexOf('--break');
  return i >= 0 ? Number(args[i + 1]) : null;
})();
const named = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--break');

if (flag('--list')) {
  for (const [name, g] of Object.entries(GROUPS))
    console.log(`${name}${FAST_SUBSET.includes(name) ? ' (fast)' : ''}\n  mutate: ${g.mutate.join(', ')}\n  tests:  ${g.tests.join(', ')}`);
  process.exit(0);
}

function changedGroups(ref) {
  const files = execFileSync('git', ['diff', '--name-only', ref, '--'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const globToRe = (g) =>
    new RegExp(
      `^${g
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '(?:.*/)?')
        .replace(/\*/g, '[^/]*')}$`,
    );
  return Object.entries(GROUPS)
    .filter(([, g]) => [...g.mutate, ...g.tests].some((pattern) => files.some((f) => globToRe(pattern).test(f))))
    .map(([name]) => name);
}

let groups;
if (flag('--fast')) groups = FAST_SUBSET;
else if (flag('--changed')) groups = changedGroups(flag('--changed').split('=')[1] || 'HEAD~1');
else if (named.length) groups = named;
else groups = Object.keys(GROUPS);
for (const g of groups) if (!GROUPS[g]) throw new Error(`no mutation group "${g}" (npm run mutate -- --list)`);
if (groups.length === 0) {
  console.log('mutate: no group concerned by this change');
  process.exit(0);
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const rows = [];
let failed = false;

for (const name of groups) {
  const group = GROUPS[name];
  const dir = join('reports', 'mutation', name);
  mkdirSync(dir, { recursive: true });
  console.log(`\n=== mutation group ${name}: ${group.mutate.join(', ')}\n    tests: ${group.tests.join(', ')}`);
  const started = Date.now();
  // One Stryker process per group, on a config file of its own (the shared options plus the group's), so no
  // state leaks from one group to the next.
  const config = join(dir, 'stryker.config.json');
  writeFileSync(
    config,
    JSON.stringify(
      {
        ...base,
        mutate: group.mutate,
        jest: { ...base.jest, config: { testMatch: group.tests.map((t) => `<rootDir>/${t}`) } },
        incrementalFile: join(dir, 'incremental.json'),
        // --force: test every mutant again (the incremental file can keep a stale "survived" for a mutant that
        // only a new test reaches, as seen with module-level constants).
        force: Boolean(flag('--force')),
        htmlReporter: { fileName: join(dir, 'mutation.html') },
        jsonReporter: { fileName: join(dir, 'mutation.json') },
      },
      null,
      2,
    ),
  );
  // AUTHMOUNT_TEST_STORES reaches the test runner processes Stryker forks.
  const env = { ...process.env };
  if (group.stores) env.AUTHMOUNT_TEST_STORES = group.stores.join(',');
  else delete env.AUTHMOUNT_TEST_STORES;
  const run = spawnSync('npx', ['stryker', 'run', config], { stdio: 'inherit', env });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (run.status !== 0) {
    failed = true;
    console.log(`!! group ${name}: Stryker exited with ${run.status ?? run.signal}`);
    continue;
  }

  // The JSON report (mutation-testing-report-schema): files → mutants with status and location.
  const report = JSON.parse(readFileSync(join(dir, 'mutation.json'), 'utf8'));
  const byFile = new Map();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const c = { detected: 0, undetected: 0, survived: [], excluded: 0 };
    for (const r of mutants) {
      if (DETECTED.has(r.status)) c.detected++;
      else if (UNDETECTED.has(r.status)) {
        c.undetected++;
        c.survived.push(
          `${file}:${r.location.start.line} ${r.mutatorName} ${r.status}${r.replacement ? ` → ${JSON.stringify(r.replacement).slice(0, 60)}` : ''}`,
        );
      } else c.excluded++; // CompileError, RuntimeError, Ignored: not valid mutants
    }
    byFile.set(file, c);
  }
  let detected = 0;
  let undetected = 0;
  for (const [file, c] of byFile) {
    detected += c.detected;
    undetected += c.undetected;
    rows.push({ group: name, file, ...c, seconds });
  }
  const score = detected + undetected ? (100 * detected) / (detected + undetected) : 100;
  if (breakAt !== null && score < breakAt) {
    failed = true;
    console.log(`!! group ${name}: mutation score ${score.toFixed(1)} % is below ${breakAt} %`);
  }
}

console.log('\nmutation score per file (detected = killed + timeout; CompileError/RuntimeError/Ignored excluded)');
console.log('| group | file | detected | undetected | excluded | score | run |');
console.log('|---|---|---:|---:|---:|---:|---:|');
let d = 0;
let u = 0;
for (const r of rows) {
  d += r.detected;
  u += r.undetected;
  const score = r.detected + r.undetected ? ((100 * r.detected) / (r.detected + r.undetected)).toFixed(1) : '100.0';
  console.log(`| ${r.group} | ${r.file} | ${r.detected} | ${r.undetected} | ${r.excluded} | ${score} % | ${r.seconds} s |`);
}
console.log(`| **total** | | ${d} | ${u} | | ${d + u ? ((100 * d) / (d + u)).toFixed(1) : '100.0'} % | |`);
const survivors = rows.flatMap((r) => r.survived);
if (survivors.length) console.log(`\nundetected mutants:\n${survivors.map((s) => `  ${s}`).join('\n')}`);
process.exitCode = failed ? 1 : 0;
