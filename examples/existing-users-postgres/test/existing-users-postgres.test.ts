import type { Auth } from '@authmount/express';
import type { Express } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { FAST_HASHING } from '../../../test-support/fast';
import { describeWithPostgres, uniqueSchema } from '../../../test-support/postgres';
import { createApp } from '../app';

/**
 * The path of an app that already has users: its own migration made `users` (its column names, serial
 * ids) and its old code wrote bcrypt hashes. authmount is mounted on it with the X-Auth-Bearer adapter
 * and logs those users in; the first login replaces the bcrypt hash with argon2id in the app's row.
 */
describeWithPostgres('an existing users table with bcrypt hashes, behind authmount', (url) => {
  const appSchema = uniqueSchema('app');
  const authSchema = uniqueSchema('auth');
  let pool: pg.Pool;
  let app: Express;
  let auth: Auth;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${appSchema}"`);
    await admin.end();
    // The app's connection finds its tables through search_path, as an app on the public schema does.
    pool = new pg.Pool({ connectionString: url, options: `-c search_path=${appSchema}`, max: 4 });
    await pool.query(readFileSync(join(__dirname, '..', 'db', '001_create_users.sql'), 'utf8'));
    ({ app, auth } = await createApp({ pool, authSchema, hashing: FAST_HASHING }));
  });

  afterAll(async () => {
    await auth?.close();
    await pool?.query(`DROP SCHEMA IF EXISTS "${appSchema}" CASCADE; DROP SCHEMA IF EXISTS "${authSchema}" CASCADE`);
    await pool?.end();
  });

  const digest = async (username: string) =>
    (await pool.query<{ password_digest: string }>('SELECT password_digest FROM users WHERE username = $1', [username])).rows[0]
      .password_digest;
  const login = (login: string, pass: string) => request(app).post('/api/login').type('form').send({ login, pass });

  it('logs in a user whose bcrypt hash the app wrote; the row then holds argon2id, and the old password still works', async () => {
    expect(await digest('alice')).toMatch(/^\$2b\$10\$/);
    const first = await login('alice', 'correct horse battery staple');
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ login: 'alice', email: 'alice@example.com' });
    const after = await digest('alice');
    expect(after).toMatch(/^\$argon2id\$v=19\$/);

    // The token works on the app's own route, and authmount's user id is the app's own users.id.
    const me = await request(app).get('/api/me').set('X-Auth-Bearer', first.body.token);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: 1, username: 'alice', display_name: 'Alice Liddell' });

    // Same password again: verified against argon2id now, and not re-hashed a second time.
    const again = await login('ALICE', 'correct horse battery staple');
    expect(again.status).toBe(200);
    expect(await digest('alice')).toBe(after);
    // And by e-mail.
    expect((await login('alice@example.com', 'correct horse battery staple')).status).toBe(200);
  });

  it("accepts PHP's $2y$ bcrypt too, refuses a wrong password without touching the hash", async () => {
    const before = await digest('bob');
    expect(before).toMatch(/^\$2y\$10\$/);
    const wrong = await login('bob', 'correct horse battery staple');
    expect(wrong.status).toBe(401);
    expect(await digest('bob')).toBe(before);
    const ok = await login('bob', 'Tr0ub4dor&3 is not enough');
    expect(ok.status).toBe(200);
    expect(await digest('bob')).toMatch(/^\$argon2id\$/);
  });

  it("adds no column to the app's table (only two indexes), and keeps tokens in a schema of its own", async () => {
    const columns = (
      await pool.query<{ c: string }>(
        `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'users' ORDER BY ordinal_position`,
        [appSchema],
      )
    ).rows.map((r) => r.c);
    expect(columns).toEqual(['id', 'username', 'email', 'password_digest', 'display_name', 'created_at']);
    const indexes = (
      await pool.query<{ i: string }>(`SELECT indexname AS i FROM pg_indexes WHERE schemaname = $1 ORDER BY 1`, [appSchema])
    ).rows.map((r) => r.i);
    expect(indexes).toEqual([
      'authmount_users_email_lower_key',
      'authmount_users_username_lower_key',
      'users_email_key',
      'users_pkey',
      'users_username_key',
    ]);
    const tokens = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${authSchema}".tokens`);
    expect(Number(tokens.rows[0].n)).toBeGreaterThan(0);
  });
});
