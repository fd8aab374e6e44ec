/**
 * Buckets of keys by the minute they may expire in, so a sweep visits only keys that are due — never the
 * whole map. Entries are filed once, at the deadline they had when filed; a token that slid since is
 * simply re-filed when its old bucket comes up (see `sweep`). That keeps the hot path (authenticate,
 * which moves a deadline on every request) free of any bookkeeping here.
 */
export class ExpiryWheel {
  private readonly buckets = new Map<number, string[]>();
  private oldest = Number.POSITIVE_INFINITY;

  constructor(private readonly bucketMs = 60_000) {}

  add(key: string, deadline: number): void {
    const b = Math.floor(deadline / this.bucketMs);
    const list = this.buckets.get(b);
    if (list) list.push(key);
    else this.buckets.set(b, [key]);
    if (b < this.oldest) this.oldest = b;
  }

  /**
   * Visit every key filed in a bucket that ended at or before `now`. `check` returns the key's current
   * deadline if it is still alive (it gets re-filed), or null when it was removed / does not exist.
   */
  sweep(now: number, check: (key: string) => number | null): void {
    const last = Math.floor(now / this.bucketMs) - 1;
    if (this.oldest > last) return;
    const due = [...this.buckets.keys()].filter((b) => b <= last).sort((a, b) => a - b);
    for (const b of due) {
      const keys = this.buckets.get(b)!;
      this.buckets.delete(b);
      for (const k of keys) {
        const deadline = check(k);
        if (deadline !== null) this.add(k, deadline);
      }
    }
    this.oldest = Number.POSITIVE_INFINITY;
    for (const b of this.buckets.keys()) if (b < this.oldest) this.oldest = b;
  }

  /** Number of filed keys (including stale ones awaiting their bucket). */
  get size(): number {
    let n = 0;
    for (const l of this.buckets.values()) n += l.length;
    return n;
  }
}
