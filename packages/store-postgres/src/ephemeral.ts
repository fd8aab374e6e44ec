import type { BudgetCharge, CodeStore, CounterState, CounterStore, ReserveResult } from '@authmount/core';
import type { Db } from './db';
import type { Names } from './names';

/** Single-use codes: `take` is a DELETE ... RETURNING, so of concurrent takers exactly one gets the row. */
export class PostgresCodeStore implements CodeStore {
  private readonly sql: { put: string; take: string };

  constructor(
    private readonly db: Db,
    private readonly n: Names,
  ) {
    this.sql = {
      put: `INSERT INTO ${n.codes} (key, expires_at, value) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at, value = EXCLUDED.value`,
      take: `DELETE FROM ${n.codes} WHERE key = $1 RETURNING value, expires_at`,
    };
  }

  async put(key: string, value: string, expiresAt: number, _now: number): Promise<void> {
    await this.db.query('codes.put', this.sql.put, [key, expiresAt, value]);
  }

  async take(key: string, now: number): Promise<string | null> {
    const rows = (await this.db.query<{ value: string; expires_at: string }>('codes.take', this.sql.take, [key])).rows;
    return rows.length && now < Number(rows[0].expires_at) ? rows[0].value : null;
  }

  async sweep(now: number, limit: number): Promise<number> {
    const c = this.n.codes;
    const text = `DELETE FROM ${c} WHERE key IN (SELECT key FROM ${c} WHERE expires_at <= $1::bigint ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`;
    return (await this.db.query('codes.sweep', text, [now, limit])).rowCount ?? 0;
  }
}

/**
 * Fixed-window counters. `increment` is one upsert (the row lock makes it atomic); `reserve` and `settle`
 * are one call each of the functions the migration installs (schema.ts), which lock every key's row in
 * one fixed order before reading any.
 */
export class PostgresCounterStore implements CounterStore {
  private readonly sql: { increment: string; peek: string; reserve: string; settle: string };

  constructor(
    private readonly db: Db,
    private readonly n: Names,
  ) {
    const c = n.counters;
    this.sql = {
      increment: `INSERT INTO ${c} AS c (key, reset_at, count) VALUES ($1, $3::bigint + $2::bigint, 1)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN c.reset_at > $3::bigint THEN c.count + 1 ELSE 1 END,
  reset_at = CASE WHEN c.reset_at > $3::bigint THEN c.reset_at ELSE $3::bigint + $2::bigint END
RETURNING count, reset_at`,
      peek: `SELECT count, reset_at FROM ${c} WHERE key = $1`,
      reserve: `SELECT ok, failed_key, retry_at FROM ${n.t('reserve')}($1::text[], $2::integer[], $3::bigint[], $4::bigint)`,
      settle: `SELECT ${n.t('settle')}($1::text[], $2::text[], $3::bigint)`,
    };
  }

  async increment(key: string, windowMs: number, now: number): Promise<CounterState> {
    const r = (await this.db.query<{ count: number; reset_at: string }>('counters.increment', this.sql.increment, [key, windowMs, now]))
      .rows[0];
    return { count: r.count, resetAt: Number(r.reset_at) };
  }

  async peek(key: string, now: number): Promise<CounterState> {
    const rows = (await this.db.query<{ count: number; reset_at: string }>('counters.peek', this.sql.peek, [key])).rows;
    if (rows.length === 0 || !(now < Number(rows[0].reset_at))) return { count: 0, resetAt: now };
    return { count: rows[0].count, resetAt: Number(rows[0].reset_at) };
  }

  async reserve(charges: readonly BudgetCharge[], now: number): Promise<ReserveResult> {
    if (charges.length === 0) return { ok: true };
    const r = (
      await this.db.query<{ ok: boolean; failed_key: string | null; retry_at: string | null }>('counters.reserve', this.sql.reserve, [
        charges.map((c) => c.key),
        charges.map((c) => c.limit),
        charges.map((c) => c.windowMs),
        now,
      ])
    ).rows[0];
    return r.ok ? { ok: true } : { ok: false, key: r.failed_key!, retryAt: Number(r.retry_at) };
  }

  async settle(entries: readonly { key: string; action: 'refund' | 'clear' }[], now: number): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query('counters.settle', this.sql.settle, [entries.map((e) => e.key), entries.map((e) => e.action), now]);
  }

  async sweep(now: number, limit: number): Promise<number> {
    const c = this.n.counters;
    const text = `DELETE FROM ${c} WHERE key IN (SELECT key FROM ${c} WHERE reset_at <= $1::bigint ORDER BY reset_at LIMIT $2 FOR UPDATE SKIP LOCKED)`;
    return (await this.db.query('counters.sweep', text, [now, limit])).rowCount ?? 0;
  }
}
