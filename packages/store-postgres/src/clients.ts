import type { OAuthClientRecord, OAuthClientRegistry } from '@authmount/core';
import type { Db } from './db';
import type { Names } from './names';

type ClientRow = {
  client_id: string;
  name: string;
  redirect_uris: string[];
  secret_hash: string;
  scopes: string[];
  poll_token: boolean;
  created_at: string;
};

const COLUMNS = 'client_id, name, redirect_uris, secret_hash, scopes, poll_token, created_at';

function fromRow(r: ClientRow): OAuthClientRecord {
  return {
    clientId: r.client_id,
    name: r.name,
    redirectUris: [...r.redirect_uris],
    secretHash: r.secret_hash,
    scopes: [...r.scopes],
    pollToken: r.poll_token,
    createdAt: Number(r.created_at),
  };
}

/**
 * The OAuth client registry (the contract's `OAuthClientRegistry`) in one table, so every process on the
 * database sees the same clients. Each method is one statement; `create` is atomic through the primary key
 * (`ON CONFLICT DO NOTHING`: of N concurrent creates of one id exactly one inserts).
 */
export class PostgresClientRegistry implements OAuthClientRegistry {
  private readonly sql: { find: string; create: string; remove: string; list: string };

  constructor(
    private readonly db: Db,
    n: Names,
  ) {
    const t = n.clients;
    this.sql = {
      find: `SELECT ${COLUMNS} FROM ${t} WHERE client_id = $1`,
      create: `INSERT INTO ${t} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (client_id) DO NOTHING`,
      remove: `DELETE FROM ${t} WHERE client_id = $1`,
      list: `SELECT ${COLUMNS} FROM ${t} ORDER BY client_id COLLATE "C"`,
    };
  }

  async find(clientId: string): Promise<OAuthClientRecord | null> {
    const rows = (await this.db.query<ClientRow>('clients.find', this.sql.find, [clientId])).rows;
    return rows.length ? fromRow(rows[0]) : null;
  }

  async create(c: OAuthClientRecord): Promise<boolean> {
    const res = await this.db.query('clients.create', this.sql.create, [
      c.clientId,
      c.name,
      c.redirectUris,
      c.secretHash,
      c.scopes,
      c.pollToken,
      c.createdAt,
    ]);
    return res.rowCount === 1;
  }

  async remove(clientId: string): Promise<boolean> {
    return ((await this.db.query('clients.remove', this.sql.remove, [clientId])).rowCount ?? 0) > 0;
  }

  async list(): Promise<OAuthClientRecord[]> {
    return (await this.db.query<ClientRow>('clients.list', this.sql.list, [])).rows.map(fromRow);
  }
}
