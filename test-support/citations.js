// Every test cited in docs/SECURITY.md exists AND ran (passed) in the run.
//
// A citation is `path/to/x.test.ts` → "test name", "another name" (in tables and in prose, also wrapped
// over lines). A cited name matches a test title of that file exactly, except for the parts of a name that a
// test builds at run time, which match any text: `${…}` (template strings: "agrees on ${RUNS} random …"),
// printf placeholders of it.each (`%s`, `%d`, `%j`, `%p`, `%i`, `%#`), `$name` variables, and `…`.
//
// Two ways in:
// - as a jest reporter (jest.config.ts): after a FULL run (no path, name or related-tests filter, which
//   `npm test` is), the run fails when a citation names no test, a test that failed, or a file not run; a
//   cited test that was only skipped is a warning outside CI and an error under CI.
// - from the command line: `node test-support/citations.js <jest --json report>` checks a saved report;
//   `node test-support/citations.js --commands` prints, per citation, a jest command that runs exactly it.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DOCS = ['docs/SECURITY.md'];

const { isCI } = require('./ci-env');

const CITATION = /`([^`\s]+\.test\.ts)`\s*→\s*((?:"(?:[^"\\]|\\.)*"\s*(?:,\s*)?)+)/g;
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/** [{ doc, file, name }] for every citation in `text` (whitespace, also line breaks, collapsed to one space). */
function parseCitations(text, doc) {
  const flat = text.replace(/\s+/g, ' ');
  const out = [];
  for (const m of flat.matchAll(CITATION)) {
    for (const q of m[2].matchAll(QUOTED)) out.push({ doc, file: m[1], name: q[1].replace(/\\(.)/g, '$1') });
  }
  return out;
}

const WILDCARD = /\$\{[^}]*\}|%[sdifjoOp#]|\$[A-Za-z_][\w.]*|…/g;

/** The cited name as an anchored regular expression over test titles. */
function matcher(name) {
  const parts = name.split(WILDCARD).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+?')}$`, 'u');
}

/** The `-t` pattern that selects the cited test (jest matches it against the full name, unanchored). */
function namePattern(name) {
  return matcher(name).source.replace(/^\^/, '').replace(/\$$/, '');
}

function loadCitations(root = ROOT) {
  return DOCS.flatMap((doc) => parseCitations(fs.readFileSync(path.join(root, doc), 'utf8'), doc));
}

/** Normalise a jest aggregated result (reporter) or a `--json` report to [{ file, title, status, ancestors }]. */
function testsOf(results, root = ROOT) {
  const tests = [];
  for (const f of results.testResults) {
    const file = path
      .relative(root, f.testFilePath ?? f.name)
      .split(path.sep)
      .join('/');
    for (const t of f.testResults ?? f.assertionResults ?? [])
      tests.push({ file, title: t.title, status: t.status, ancestors: t.ancestorTitles });
  }
  return tests;
}

/** { errors: string[], warnings: string[], checked: number } */
function check(citations, tests, { ci = isCI(), root = ROOT } = {}) {
  const byFile = new Map();
  for (const t of tests) byFile.set(t.file, [...(byFile.get(t.file) ?? []), t]);
  const errors = [];
  const warnings = [];
  for (const c of citations) {
    const where = `${c.doc}: ${c.file} → "${c.name}"`;
    if (!fs.existsSync(path.join(root, c.file))) {
      errors.push(`${where}: the file does not exist`);
      continue;
    }
    const inFile = byFile.get(c.file);
    if (!inFile) {
      errors.push(`${where}: the file was not run`);
      continue;
    }
    const re = matcher(c.name);
    const hits = inFile.filter((t) => re.test(t.title));
    if (hits.length === 0) errors.push(`${where}: no test of that name`);
    else if (hits.some((t) => t.status === 'failed')) errors.push(`${where}: failed`);
    else if (!hits.some((t) => t.status === 'passed')) {
      const reason = hits.flatMap((t) => t.ancestors.concat(t.title)).find((s) => s.includes('[SKIPPED: ')) ?? 'skipped';
      (ci ? errors : warnings).push(`${where}: did not run (${reason})`);
    }
  }
  return { errors, warnings, checked: citations.length };
}

function report({ errors, warnings, checked }, write) {
  for (const w of warnings) write(`citation skipped: ${w}\n`);
  for (const e of errors) write(`CITATION ERROR: ${e}\n`);
  write(`citations: ${checked} tests cited in ${DOCS.join(', ')}; ${errors.length} errors, ${warnings.length} skipped\n`);
}

/** jest reporter: checks after a full run only, and fails the run on an error (getLastError). */
class CitationsReporter {
  constructor(globalConfig) {
    this.full =
      !globalConfig.testPathPattern &&
      !globalConfig.testNamePattern &&
      !globalConfig.onlyChanged &&
      !globalConfig.findRelatedTests &&
      !globalConfig.onlyFailures &&
      !globalConfig.lastCommitChanged &&
      !globalConfig.changedSince &&
      !(globalConfig.nonFlagArgs ?? []).length &&
      !globalConfig.shard;
    this.error = undefined;
  }
  onRunComplete(_contexts, results) {
    if (!this.full) return;
    const res = check(loadCitations(), testsOf(results));
    report(res, (s) => process.stdout.write(s));
    if (res.errors.length) this.error = new Error(`${res.errors.length} docs/SECURITY.md citation(s) are wrong or did not run`);
  }
  getLastError() {
    return this.error;
  }
}

module.exports = CitationsReporter;
Object.assign(module.exports, { parseCitations, matcher, namePattern, loadCitations, testsOf, check });

if (require.main === module) {
  const arg = process.argv[2];
  if (arg === '--commands') {
    for (const c of loadCitations()) console.log(`npx jest ${c.file} -t '${namePattern(c.name).replace(/'/g, "'\\''")}'`);
  } else if (arg) {
    const res = check(loadCitations(), testsOf(JSON.parse(fs.readFileSync(arg, 'utf8'))));
    report(res, (s) => process.stdout.write(s));
    process.exitCode = res.errors.length ? 1 : 0;
  } else {
    console.error('usage: node test-support/citations.js <jest --json report> | --commands');
    process.exitCode = 2;
  }
}
