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
//   --plan           no run: print what each group would mutate (with --changed --lines: the line ranges)
//   --summary        no run: the per-file table of the reports left by the groups' last runs
//   --force          ignore the incremental file: every mutant is tested again (use it for the scores you report)
//   --lines          with --changed: mutate only the lines the change touched in the groups' source files (what CI
//                    runs: its cost follows the size of the change); a group whose tests alone changed is skipped
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import base from '../stryker.config.mjs';
import { EQUIVALENTS } from './mutation-equivalents.mjs';
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

const globToRe = (g) =>
  new RegExp(
    `^${g
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '(?:.*/)?')
      .replace(/\*/g, '[^/]*')}$`,
  );

function changedGroups(ref) {
  const files = execFileSync('git', ['diff', '--name-only', ref, '--'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return Object.entries(GROUPS)
    .filter(([, g]) => [...g.mutate, ...g.tests].some((pattern) => files.some((f) => globToRe(pattern).test(f))))
    .map(([name]) => name);
}

/** The line ranges `ref` → working tree changed in `file` (new or changed lines; a deletion marks the line after it). */
function changedRanges(ref, file) {
  const diff = execFileSync('git', ['diff', '-U0', ref, '--', file], { encoding: 'utf8' });
  const ranges = [];
  for (const m of diff.matchAll(/^@@ -\S+ \+(\d+)(?:,(\d+))? @@/gm)) {
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    // A pure deletion (count 0) names the line before the gap: mutate the line after it, where the code now is.
    ranges.push(count === 0 ? [start + 1, start + 1] : [start, start + count - 1]);
  }
  return ranges;
}

/** The files matching a group's mutate globs, as git knows them (tracked files only). */
function filesOf(patterns) {
  const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return tracked.filter((f) => patterns.some((p) => globToRe(p).test(f)));
}

/** --lines: each group's mutate list narrowed to `file:start-end` ranges of the change (empty: nothing to do). */
function changedLines(ref, group) {
  return filesOf(group.mutate).flatMap((file) => changedRanges(ref, file).map(([a, b]) => `${file}:${a}-${b}`));
}

let groups;
if (flag('--fast')) groups = FAST_SUBSET;
else if (flag('--changed')) {
  // Named groups narrow the changed ones (`--changed=main token-service`).
  groups = changedGroups(flag('--changed').split('=')[1] || 'HEAD~1').filter((g) => named.length === 0 || named.includes(g));
} else if (named.length) groups = named;
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
/** Entries of EQUIVALENTS that matched a mutant in this run (the others are reported as possibly stale). */
const matched = new Set();

for (const name of groups) {
  const group = GROUPS[name];
  let mutate = group.mutate;
  if (flag('--lines')) {
    if (!flag('--changed')) throw new Error('--lines goes with --changed[=ref]');
    mutate = changedLines(flag('--changed').split('=')[1] || 'HEAD~1', group);
    if (mutate.length === 0) {
      console.log(`\n=== mutation group ${name}: only its tests changed; --lines mutates changed source lines only (skipped)`);
      continue;
    }
  }
  if (flag('--plan')) {
    // --plan: what would be mutated, without running anything (e.g. what CI's --changed --lines step will do).
    console.log(`${name}: ${mutate.join(', ')}`);
    continue;
  }
  // A --lines run covers part of a group: its report goes apart, so --summary and the incremental file keep the whole group's.
  const dir = join('reports', flag('--lines') ? 'mutation-lines' : 'mutation', name);
  let seconds = '–';
  if (flag('--summary')) {
    // --summary: no run, the table of the reports the groups' last runs left.
    if (!existsSync(join(dir, 'mutation.json'))) {
      console.log(`=== mutation group ${name}: no report yet (reports/mutation/${name}/mutation.json)`);
      continue;
    }
  } else {
    mkdirSync(dir, { recursive: true });
    console.log(`\n=== mutation group ${name}: ${mutate.join(', ')}\n    tests: ${group.tests.join(', ')}`);
    const started = Date.now();
    // One Stryker process per group, on a config file of its own (the shared options plus the group's), so no
    // state leaks from one group to the next.
    const config = join(dir, 'stryker.config.json');
    writeFileSync(
      config,
      JSON.stringify(
        {
          ...base,
          mutate,
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
    // A stale report must not stand in for this run: Stryker writes none when the range holds no mutant.
    rmSync(join(dir, 'mutation.json'), { force: true });
    const run = spawnSync('npx', ['stryker', 'run', config], { stdio: 'inherit', env });
    seconds = Math.round((Date.now() - started) / 1000);
    if (run.status !== 0) {
      failed = true;
      console.log(`!! group ${name}: Stryker exited with ${run.status ?? run.signal}`);
      continue;
    }
  }

  // The JSON report (mutation-testing-report-schema): files → mutants with status and location.
  if (!existsSync(join(dir, 'mutation.json'))) {
    console.log(`=== mutation group ${name}: no mutant in ${mutate.join(', ')} (nothing to test)`);
    continue;
  }
  const report = JSON.parse(readFileSync(join(dir, 'mutation.json'), 'utf8'));
  const byFile = new Map();
  for (const [file, { mutants, source }] of Object.entries(report.files)) {
    const c = { detected: 0, undetected: 0, survived: [], excluded: 0, ignored: [] };
    const lines = source.split('\n');
    // The code a mutant replaces (report columns: 1-based start, end exclusive).
    const original = ({ start, end }) =>
      start.line === end.line
        ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
        : [
            lines[start.line - 1].slice(start.column - 1),
            ...lines.slice(start.line, end.line - 1),
            lines[end.line - 1].slice(0, end.column - 1),
          ].join('\n');
    for (const r of mutants) {
      const known =
        UNDETECTED.has(r.status) &&
        EQUIVALENTS.find(
          (e) =>
            e.file === file &&
            e.mutator === r.mutatorName &&
            e.replacement === r.replacement &&
            (e.code.endsWith('…') ? original(r.location).startsWith(e.code.slice(0, -1)) : e.code === original(r.location)) &&
            (e.line === undefined || lines[r.location.start.line - 1].includes(e.line)),
        );
      if (known) {
        matched.add(known);
        c.ignored.push(`${file}:${r.location.start.line} ${r.mutatorName} → ${r.replacement}: ${known.why}`);
      } else if (DETECTED.has(r.status)) c.detected++;
      // Ignored: a `// Stryker disable … : <reason>` comment marks the mutant equivalent; listed with its reason.
      else if (r.status === 'Ignored') c.ignored.push(`${file}:${r.location.start.line} ${r.mutatorName}: ${r.statusReason ?? ''}`);
      else if (UNDETECTED.has(r.status)) {
        c.undetected++;
        c.survived.push(
          `${file}:${r.location.start.line} ${r.mutatorName} ${r.status}${r.replacement ? ` → ${JSON.stringify(r.replacement).slice(0, 60)}` : ''}`,
        );
      } else c.excluded++; // CompileError, RuntimeError: not valid mutants
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

if (flag('--plan')) process.exit(0);
if (rows.length === 0) {
  console.log('\nmutate: nothing was mutated');
  process.exit(failed ? 1 : 0);
}
console.log('\nmutation score per file (detected = killed + timeout; equivalent = ignored by a commented Stryker disable or listed in');
console.log('scripts/mutation-equivalents.mjs;');
console.log('invalid = CompileError/RuntimeError; only detected and undetected count)');
console.log('| group | file | detected | undetected | equivalent | invalid | score | run |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
let d = 0;
let u = 0;
for (const r of rows) {
  d += r.detected;
  u += r.undetected;
  const score = r.detected + r.undetected ? ((100 * r.detected) / (r.detected + r.undetected)).toFixed(1) : '100.0';
  console.log(
    `| ${r.group} | ${r.file} | ${r.detected} | ${r.undetected} | ${r.ignored.length} | ${r.excluded} | ${score} % | ${typeof r.seconds === 'number' ? `${r.seconds} s` : r.seconds} |`,
  );
}
console.log(`| **total** | | ${d} | ${u} | | | ${d + u ? ((100 * d) / (d + u)).toFixed(1) : '100.0'} % | |`);
const survivors = rows.flatMap((r) => r.survived);
if (survivors.length) console.log(`\nundetected mutants:\n${survivors.map((s) => `  ${s}`).join('\n')}`);
const unmatched = EQUIVALENTS.filter((e) => !matched.has(e) && rows.some((r) => r.file === e.file) && !flag('--lines'));
if (unmatched.length)
  console.log(
    `\nentries of scripts/mutation-equivalents.mjs that matched no surviving mutant (stale, or now killed):\n${unmatched.map((e) => `  ${e.file} ${e.mutator} ${e.code} → ${e.replacement}`).join('\n')}`,
  );
const ignored = rows.flatMap((r) => r.ignored);
if (ignored.length)
  console.log(
    `\nequivalent mutants (a Stryker disable comment in the code, or scripts/mutation-equivalents.mjs), with the reason:\n${ignored.map((s) => `  ${s}`).join('\n')}`,
  );
process.exitCode = failed ? 1 : 0;
