import { AuthError, createAuthCore, hashSecret, manualClock, newSecret } from '@authmount/core';
import { DAY, HOUR, MIN, newUser, tokenRecord } from '@authmount/core/conformance';
import { migrate, migrationFiles, postgresStore, PostgresStoreError, userIndexSql, type PostgresStore } from '@authmount/store-postgres';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describeWithPostgres, testPool, uniqueSchema } from '../../../test-support/postgres';
import { cleanPostgresStore } from '../../../test-support/postgres-stores';

/** Count the statements a store sends (each `pool.query` is one statement, one round trip). */
function countStatements(store: PostgresStore): { texts: string[]; restore(): void } {
  const pool = store.pool;
  const original = pool.query;
  const texts: string[] = [];
  pool.query = ((config: pg.QueryConfig, ...rest: unknown[]) => {
    texts.push(typeof config === 'string' ? config : config.text);
    return (original as (...a: unknown[]) => unknown).call(pool, config, ...rest);
  }) as typeof pool.query;
  return { texts, restore: () => (pool.query = original) };
}

describeWithPostgres('postgres store', (url) => {
  let store: PostgresStore;
  const now = Date.UTC(2030, 0, 1);
  beforeEach(async () => {
    store = await cleanPostgresStore(url);
  });
  afterEach(() => store.close());

  describe('one statement per call', () => {
    it('authenticates (validate, filter, slide) in ONE statement, whatever the outcome', async () => {
      const r = tokenRecord(now, { issuer: 'pcloud' });
      await store.tokens.create(r);
      const count = countStatements(store);
      try {
        const outcomes = [
          await store.tokens.authenticate(r.id, r.secretHash, now + HOUR),
          await store.tokens.authenticate(r.id, hashSecret(newSecret()), now + HOUR),
          await store.tokens.authenticate(r.id, r.secretHash, now + HOUR, { issuers: ['authmount'] }),
          await store.tokens.authenticate('12345', r.secretHash, now),
          await store.tokens.authenticate(r.id, r.secretHash, now + 31 * DAY),
        ];
        expect(outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['ok', 'mismatch', 'refused', 'unknown', 'expired']);
        expect(count.texts).toHaveLength(5);
      } finally {
        count.restore();
      }
    });

    it('reserves across keys and settles in one statement each', async () => {
      const count = countStatements(store);
      try {
        const charges = [
          { key: 'ip:1', limit: 3, windowMs: MIN },
          { key: 'acct:1', limit: 1, windowMs: HOUR },
        ];
        expect(await store.counters.reserve(charges, now)).toEqual({ ok: true });
        expect(await store.counters.reserve(charges, now)).toEqual({ ok: false, key: 'acct:1', retryAt: now + HOUR });
        await store.counters.settle(
          [
            { key: 'ip:1', action: 'refund' },
            { key: 'acct:1', action: 'clear' },
          ],
          now,
        );
        expect(count.texts).toHaveLength(3);
      } finally {
        count.restore();
      }
    });

    it('never sends a statement for an id or hash core cannot have made', async () => {
      const r = tokenRecord(now);
      await store.tokens.create(r);
      const count = countStatements(store);
      try {
        expect(await store.tokens.authenticate(`0${r.id}`, r.secretHash, now)).toEqual({ ok: false, reason: 'unknown' });
        expect(await store.tokens.peek('1e5', now)).toBeNull();
        expect(await store.tokens.delete('-1')).toBe(false);
        expect(count.texts).toHaveLength(0);
        // A hash whose last character differs only in padding bits decodes to the same bytes: it must still miss.
        const near = r.secretHash.slice(0, -1) + (r.secretHash.at(-1) === 'A' ? 'B' : 'A');
        expect(await store.tokens.authenticate(r.id, near, now)).toEqual({ ok: false, reason: 'mismatch' });
      } finally {
        count.restore();
      }
    });
  });

  describe('sweep', () => {
    it('reclaims absolutely and idle-expired tokens, expired guests, codes and counters, and nothing live', async () => {
      const live = tokenRecord(now);
      const absolute = tokenRecord(now - 40 * DAY, { expiresAt: now - DAY, idleExpiresAt: now - DAY });
      const idle = Array.from({ length: 12 }, () => tokenRecord(now - 2 * DAY)); // idle expiry now - DAY
      for (const r of [live, absolute, ...idle]) await store.tokens.create(r);
      const guest = await store.users.create(newUser(now - 2 * DAY, { login: 'guest', email: null, expiresAt: now - DAY }));
      const member = await store.users.create(newUser(now - 2 * DAY, { login: 'member', email: null }));
      await store.codes.put('old', 'v', now - 1, now - MIN);
      await store.codes.put('new', 'v', now + MIN, now);
      await store.counters.increment('old', MIN, now - HOUR);
      await store.counters.increment('new', MIN, now);

      const count = async (t: string) => Number((await store.pool.query(`SELECT count(*) AS n FROM "${store.schema}"."${t}"`)).rows[0].n);
      // Bounded: one call deletes at most `batch` rows per statement, 10 statements per table.
      expect(await store.tokens.sweep(now, 5)).toBeLessThanOrEqual(10);
      let rounds = 0;
      while ((await count('tokens')) > 1 && rounds++ < 10) await store.sweep(now, 5);
      expect(await count('tokens')).toBe(1);
      expect(await store.tokens.peek(live.id, now)).not.toBeNull();
      await store.sweep(now, 5);
      expect(await count('users')).toBe(1);
      expect(guest.ok && (await store.users.findById(guest.user.id, now - 2 * DAY))).toBeNull();
      expect(member.ok && (await store.users.findById(member.user.id, now))?.login).toBe('member');
      expect(await count('codes')).toBe(1);
      expect(await store.codes.take('new', now)).toBe('v');
      expect(await count('counters')).toBe(1);
      expect((await store.counters.peek('new', now)).count).toBe(1);
    });

    it('runs on its timer with the slack behind the clock', async () => {
      const clock = manualClock(now);
      const s = postgresStore({ pool: store.pool, schema: store.schema, clock, sweepIntervalMs: 5, sweepSlackMs: MIN });
      try {
        const recent = tokenRecord(now - DAY, { idleExpiresAt: now - 30_000 }); // dead 30 s ago: inside the slack
        const old = tokenRecord(now - DAY, { idleExpiresAt: now - 2 * MIN });
        await s.tokens.create(recent);
        await s.tokens.create(old);
        const ids = async () =>
          (await s.pool.query(`SELECT id::text FROM "${s.schema}".tokens ORDER BY id`)).rows.map((r) => r.id as string);
        const deadline = Date.now() + 10_000;
        while ((await ids()).includes(old.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(await ids()).toEqual([recent.id]);
      } finally {
        await s.close();
      }
    });
  });

  describe('failures', () => {
    it('rejects with a PostgresStoreError that core turns into store_unavailable (no table here)', async () => {
      const s = postgresStore({ pool: store.pool, schema: uniqueSchema('absent'), sweepIntervalMs: 0 });
      const core = createAuthCore({ store: s });
      const err = await core.tokens.authenticate(`123.${newSecret()}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).code).toBe('store_unavailable');
      const cause = (err as { cause?: unknown }).cause;
      expect(cause).toBeInstanceOf(PostgresStoreError);
      expect((cause as PostgresStoreError).code).toBe('42P01');
      await s.close();
    });

    it("never crashes on a pool error: one listener is added to an app's pool that has none, none otherwise", async () => {
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const seen: Error[] = [];
      const s = postgresStore({ pool, schema: store.schema, sweepIntervalMs: 0, onError: (e) => seen.push(e) });
      expect(pool.listenerCount('error')).toBe(1);
      pool.emit(
        'error',
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', detail: 'secret detail' }),
      );
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeInstanceOf(PostgresStoreError);
      expect(seen[0].message).not.toContain('secret detail');
      await s.close();
      // The app's pool is the app's: the store does not end it.
      expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      const withListener = new pg.Pool({ connectionString: url, max: 1 });
      withListener.on('error', () => undefined);
      const s2 = postgresStore({ pool: withListener, schema: store.schema, sweepIntervalMs: 0 });
      expect(withListener.listenerCount('error')).toBe(1);
      await s2.close();
      await Promise.all([pool.end(), withListener.end()]);
    });

    it('refuses bad identifiers and contradictory options at construction', () => {
      expect(() => postgresStore({ schema: 'Robert"; DROP TABLE students' })).toThrow(/schema: expected a schema name/);
      expect(() => postgresStore({ tablePrefix: 'a-b' })).toThrow(/tablePrefix/);
      expect(() => postgresStore({ pool: store.pool, connectionString: url })).toThrow(/either `pool` or `connectionString`/);
      expect(() => postgresStore({ pool: store.pool, users: { table: 'users', columns: { login: null, email: null } } })).toThrow(
        /login or an email/,
      );
      expect(() => postgresStore({ pool: store.pool, users: { table: 'users', columns: { nickname: 'x' } as never } })).toThrow(
        /users\.columns\.nickname: unknown option/,
      );
    });
  });

  describe('migrations', () => {
    it('ship as .sql files equal to migrationFiles(), and the two ways mix', async () => {
      const dir = join(__dirname, '..', 'migrations');
      const files = readdirSync(dir).sort();
      expect(files).toEqual(migrationFiles().map((f) => f.name));
      for (const f of migrationFiles()) expect(readFileSync(join(dir, f.name), 'utf8')).toBe(f.sql);
      // Applied by "the app's own tool" (the file as it is), then migrate() finds nothing to do.
      const schema = uniqueSchema('files');
      const pool = testPool(url);
      for (const f of migrationFiles({ schema })) await pool.query(f.sql);
      expect(await migrate(pool, { schema })).toEqual({ applied: [] });
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    });

    it('run once however many processes start at the same time', async () => {
      const schema = uniqueSchema('race');
      const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: url, max: 1 }));
      try {
        const results = await Promise.all(pools.map((p) => migrate(p, { schema })));
        expect(results.flatMap((r) => r.applied)).toEqual(['001_init', '002_oauth_clients']);
        expect((await pools[0].query(`SELECT version FROM "${schema}".migrations ORDER BY version`)).rows).toEqual([
          { version: 1 },
          { version: 2 },
        ]);
      } finally {
        await pools[0].query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await Promise.all(pools.map((p) => p.end()));
      }
    });

    it('keep two table prefixes in one schema apart', async () => {
      const a = await cleanPostgresStore(url, { tablePrefix: 'a_' });
      const b = postgresStore({ pool: a.pool, schema: a.schema, tablePrefix: 'b_', sweepIntervalMs: 0 });
      try {
        await b.migrate();
        const r = tokenRecord(now);
        await a.tokens.create(r);
        expect(await b.tokens.peek(r.id, now)).toBeNull();
        expect(await a.tokens.peek(r.id, now)).not.toBeNull();
        expect(await b.counters.reserve([{ key: 'k', limit: 1, windowMs: MIN }], now)).toEqual({ ok: true });
        expect(await a.counters.reserve([{ key: 'k', limit: 1, windowMs: MIN }], now)).toEqual({ ok: true });
      } finally {
        await b.pool.query(
          `DROP TABLE "${a.schema}".b_tokens, "${a.schema}".b_users, "${a.schema}".b_codes, "${a.schema}".b_counters, "${a.schema}".b_migrations CASCADE`,
        );
        await b.pool.query(`DROP FUNCTION "${a.schema}".b_reserve, "${a.schema}".b_settle`);
        await a.close();
      }
    });
  });

  describe("the app's own users table", () => {
    let schema: string;
    let pool: pg.Pool;
    beforeEach(async () => {
      pool = testPool(url);
      schema = uniqueSchema('app');
      await pool.query(`CREATE SCHEMA "${schema}"`);
    });
    afterEach(() => pool.query(`DROP SCHEMA "${schema}" CASCADE`));

    const users = () => ({ table: `${schema}.accounts`, columns: { login: 'username', passwordHash: 'digest' } });

    it('names what is wrong with the table, at the first users call, until it is fixed', async () => {
      const s = postgresStore({ pool, schema, users: users(), sweepIntervalMs: 0 });
      await expect(s.users.findByLogin('x', now)).rejects.toThrow(/users table .*accounts does not exist/);
      await pool.query(`CREATE TABLE "${schema}".accounts (id serial PRIMARY KEY, username text, email text)`);
      await expect(s.users.findByLogin('x', now)).rejects.toThrow(/no column "digest" \(users.columns.passwordHash\)/);
      await pool.query(`ALTER TABLE "${schema}".accounts ADD COLUMN digest text`);
      await expect(s.users.findByLogin('x', now)).rejects.toThrow(
        /no unique index on lower\("username"\).*no unique index on lower\("email"\)/,
      );
      // migrate() adds exactly those two indexes to the app's table, and the SQL is there to read.
      expect(userIndexSql(users())).toContain(
        `CREATE UNIQUE INDEX IF NOT EXISTS "authmount_accounts_username_lower_key" ON "${schema}"."accounts" (lower("username"))`,
      );
      await migrate(pool, { schema, users: users() });
      expect(await s.users.findByLogin('x', now)).toBeNull();
      await s.close();
    });

    it('works without attributes, created/updated or expiry columns: reads {} and refuses what it cannot store', async () => {
      await pool.query(`CREATE TABLE "${schema}".accounts (id serial PRIMARY KEY, username text, email text, digest text NOT NULL)`);
      await migrate(pool, { schema, users: users() });
      const s = postgresStore({ pool, schema, users: users(), sweepIntervalMs: 0 });
      const plain = await s.users.create(newUser(now, { login: 'Bob', email: 'bob@example.com', attributes: {}, passwordHash: 'h' }));
      expect(plain).toEqual({
        ok: true,
        user: {
          id: expect.any(Number),
          login: 'Bob',
          email: 'bob@example.com',
          passwordHash: 'h',
          createdAt: 0,
          updatedAt: 0,
          expiresAt: null,
          attributes: {},
        },
      });
      await expect(s.users.create(newUser(now, { login: 'carol', email: null, passwordHash: 'h' }))).rejects.toThrow(
        /has no column for attributes/,
      );
      await expect(
        s.users.create(newUser(now, { login: 'g', email: null, attributes: {}, passwordHash: 'h', expiresAt: now + DAY })),
      ).rejects.toThrow(/expiresAt \(guest accounts\)/);
      expect(await s.users.create(newUser(now, { login: 'BOB', email: null, attributes: {}, passwordHash: 'h' }))).toEqual({
        ok: false,
        conflict: 'login',
      });
      await s.close();
    });
  });
});
