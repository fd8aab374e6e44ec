// Prints one plain closing line ("jest: N passed, N failed, N skipped") that CI tooling can read, then one
// line per skip reason: blocks skipped for a reason carry "[SKIPPED: <reason>]" in their title (ci.ts,
// jest-setup.ts), so a store or server missing here shows up with its count and why.
const SKIP_RE = /\[SKIPPED: (.*)\]$/;

function skipReasons(results) {
  const reasons = new Map();
  for (const file of results.testResults) {
    for (const t of file.testResults) {
      if (t.status !== 'pending' && t.status !== 'skipped' && t.status !== 'todo') continue;
      const tagged = [...t.ancestorTitles, t.title].map((s) => SKIP_RE.exec(s)).find(Boolean);
      const reason = tagged ? tagged[1] : t.status === 'todo' ? 'todo' : 'skipped in the test file (no reason in its title)';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  return reasons;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: p, numFailedTests: f, numPendingTests: s, numTodoTests: t } = results;
    let out = `\njest: ${p} passed, ${f} failed, ${s + t} skipped\n`;
    for (const [reason, n] of skipReasons(results)) out += `  skipped ${n}: ${reason}\n`;
    process.stdout.write(out);
  }
}
module.exports = SummaryReporter;
