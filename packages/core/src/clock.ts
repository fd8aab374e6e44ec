/**
 * Time source for everything in authmount: epoch milliseconds.
 * Production uses `systemClock`; tests inject a `ManualClock` and move time instead of sleeping.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export interface ManualClock extends Clock {
  /** Move time forward by `ms` milliseconds (never backwards). */
  advance(ms: number): void;
  /** Jump to an absolute epoch-ms instant. */
  set(ms: number): void;
}

/** A clock that only moves when told to. Starts at `start` (default 2026-01-01T00:00:00Z). */
export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let now = start;
  const clock = (() => now) as ManualClock;
  clock.advance = (ms: number) => {
    if (!(ms >= 0)) throw new RangeError('a manual clock only moves forward');
    now += ms;
  };
  clock.set = (ms: number) => {
    now = ms;
  };
  return clock;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
