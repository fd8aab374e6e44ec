/**
 * DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx examples/existing-users-postgres/server.ts
 * Creates the app's table with its two bcrypt users if it is not there yet (the app's own migration,
 * db/001_create_users.sql), then serves on PORT (default 3000).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createApp } from './app';

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
  pool.on('error', (e) => console.error('pg pool:', e.message));
  const { rows } = await pool.query(`SELECT to_regclass('users') IS NOT NULL AS present`);
  if (!rows[0].present) await pool.query(readFileSync(join(__dirname, 'db', '001_create_users.sql'), 'utf8'));
  const { app } = await createApp({ pool });
  const port = Number(process.env.PORT ?? 3000);
  app.listen(port, () =>
    console.log(`listening on :${port}; try: curl -X POST localhost:${port}/api/login -d 'login=alice&pass=correct horse battery staple'`),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
