// Surviving mutants that no input can tell from the code, each with the reason, for the lines where a
// `// Stryker disable next-line <Mutator>` comment would also hide a mutant of the same kind that tests DO
// kill (an `if` whose `false` version fails a test while its `true` version is only slower). A mutant is
// matched by file, mutator, the exact code it replaces and its replacement, not by line number, so the
// list survives edits elsewhere in the file; an entry that matches nothing is reported (a stale entry).
// `npm run mutate` counts a matched mutant as equivalent: out of the score, listed with its reason. Add an
// entry only with a reason a reviewer can check; docs/mutation.md explains each group's.
export const EQUIVALENTS = [
  {
    file: 'packages/core/src/tokens.ts',
    mutator: 'ConditionalExpression',
    code: "this.events.listens('token.authenticated')",
    replacement: 'true',
    why: 'a speed guard: emit() checks for listeners itself, so emitting unconditionally changes nothing but the cost',
  },
];
