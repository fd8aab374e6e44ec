import { isCI } from './ci-env';

/**
 * The one answer to "are we under CI?" for every test and helper (Redis, PostgreSQL, the browser test, the
 * citation check): `isCI()`, defined in ci-env.js (plain JS, so jest reporters share it). Any `CI` value but
 * empty, `0` or `false` counts. Under CI a missing dependency (Redis, PostgreSQL, Chromium) is a failure,
 * never a skip.
 */
export { isCI };

function banner(lines: string[]): string {
  const bar = '!'.repeat(78);
  return ['', bar, ...lines.map((l) => `!! ${l}`), bar, ''].join('\n');
}

/**
 * A test dependency is missing. Under CI: throws (the file fails). Outside CI: prints a loud banner with the
 * reason and `hint`, and returns, so the caller can register its tests as skipped (with the reason in the title).
 */
export function dependencyMissing(what: string, reason: string, hint = ''): void {
  if (isCI()) throw new Error(`${what} cannot run under CI: ${reason}`);
  console.warn(banner([`${what} SKIPPED: ${reason}`, ...(hint ? [hint] : [])]));
}

/** The title suffix every skipped-for-a-reason block carries; summary-reporter.js lists these reasons. */
export const skippedTitle = (title: string, reason: string) => `${title} [SKIPPED: ${reason}]`;
