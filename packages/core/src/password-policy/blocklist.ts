/** The blocklist Sets: one per distinct source, built lazily on first use. */
import { COMMON_PASSWORDS } from '../data/common-passwords';
import { fold } from './text';

let defaultBlocklist: ReadonlySet<string> | undefined;

/** Build a Set of folded entries; non-string entries are skipped rather than trusted. */
export function toBlocklistSet(entries: Iterable<unknown>): ReadonlySet<string> {
  const set = new Set<string>();
  for (const entry of entries) if (typeof entry === 'string') set.add(fold(entry));
  return set;
}

/** The shared Set over COMMON_PASSWORDS: built once per process, on the first check that needs it. */
export function getDefaultBlocklist(): ReadonlySet<string> {
  defaultBlocklist ??= toBlocklistSet(COMMON_PASSWORDS);
  return defaultBlocklist;
}
