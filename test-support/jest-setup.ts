import { skippedTitle } from './ci';

/**
 * jest setupFilesAfterEnv: rows that cannot run are SKIPPED, not dropped.
 *
 * `describe.each(testStores())` and `it.each(testStores())` (test-support/stores.ts) get every store, also
 * one whose server is absent here; such a row carries `unavailable: <reason>`. This wraps `describe.each`
 * and `it.each` (= `test.each`) so that the runnable rows go to jest as usual and each unavailable row goes
 * to `describe.skip.each` / `it.skip.each` under the same title plus "[SKIPPED: <reason>]": its body still
 * registers its tests, so the summary counts every one of them as skipped, and summary-reporter.js lists
 * the reasons. Tables without such rows pass through untouched. Generic: any object row with a string
 * `unavailable` is treated this way, whatever the store.
 */
type Each = (table: unknown, ...rest: unknown[]) => (title: string, fn: (...a: never[]) => unknown, timeout?: number) => void;

const isUnavailable = (row: unknown): row is { unavailable: string } =>
  row !== null && typeof row === 'object' && typeof (row as { unavailable?: unknown }).unavailable === 'string';

// jest-each interpolates `$key` and `%…` in titles: keep a reason from being read as a placeholder.
const literal = (reason: string) => reason.replace(/[$%]/g, '_');

function splitUnavailable(each: Each, skipEach: Each): Each {
  return (table, ...rest) => {
    if (rest.length > 0 || !Array.isArray(table) || !table.some(isUnavailable)) return each(table, ...rest);
    const runnable = table.filter((row) => !isUnavailable(row));
    const skipped = table.filter(isUnavailable);
    return (title, fn, timeout) => {
      if (runnable.length > 0) each(runnable)(title, fn, timeout);
      for (const row of skipped) skipEach([row])(skippedTitle(title, literal(row.unavailable)), fn, timeout);
    };
  };
}

const d = describe as unknown as { each: Each; skip: { each: Each } };
d.each = splitUnavailable(d.each, d.skip.each);
// `it` and `test` are one object in jest-circus; patch both names in case that ever changes.
for (const t of new Set([it, test] as unknown as Array<{ each: Each; skip: { each: Each } }>))
  t.each = splitUnavailable(t.each, t.skip.each);
