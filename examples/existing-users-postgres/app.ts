import type { HasherOptions } from '@authmount/core';
import { createAuth, type Auth } from '@authmount/express';
import { postgresStore, type UsersTableMapping } from '@authmount/store-postgres';
import { xAuthBearer } from '@authmount/x-auth-bearer';
import express, { type Express } from 'express';
import type pg from 'pg';

/**
 * authmount on the app's existing `users` table: no data migration. Users stay where they are (the
 * app's table, the app's ids, the app's bcrypt hashes); authmount keeps only its own tables (tokens,
 * codes, counters) in a schema of its own, on the same database and the same pool.
 */
export const USERS: UsersTableMapping = {
  table: 'users',
  columns: {
    id: 'id',
    login: 'username',
    email: 'email',
    passwordHash: 'password_digest',
    createdAt: 'created_at',
    updatedAt: null, // the app has no such column
    expiresAt: null, // no guest accounts
    attributes: null, // no jsonb column: profile fields stay the app's business
  },
};

export interface AppOptions {
  pool: pg.Pool;
  /** Schema for authmount's own tables. Default "authmount". */
  authSchema?: string;
  /** argon2id parameters (tests use small ones). */
  hashing?: HasherOptions;
}

export async function createApp({ pool, authSchema = 'authmount', hashing }: AppOptions): Promise<{ app: Express; auth: Auth }> {
  const store = postgresStore({ pool, schema: authSchema, users: USERS });
  // authmount's tables, plus the two unique indexes it needs on the app's table (lower(username),
  // lower(email)); nothing else in `users` changes. Safe to run at every start, from every process.
  await store.migrate();
  // bcrypt hashes are verified out of the box and replaced by argon2id at each user's next login.
  const auth = createAuth({ store, hashing });
  const xauth = xAuthBearer(auth);

  const app = express();
  app.get('/health', (_req, res) => void res.json({ ok: true }));
  app.use('/api', xauth); // POST|GET|PUT|DELETE /api/login
  // The app's own route, reading the app's own row: req.auth.userId IS the app's users.id.
  app.get('/api/me', xauth.guard(), async (req, res, next) => {
    try {
      const { rows } = await pool.query('SELECT id, username, display_name FROM users WHERE id = $1', [req.auth!.userId]);
      res.json(rows[0] ?? null);
    } catch (e) {
      next(e);
    }
  });
  return { app, auth };
}
