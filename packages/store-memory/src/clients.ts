import type { OAuthClientRecord, OAuthClientRegistry } from '@authmount/core';
import type { Capacity } from './capacity';

const copy = (c: OAuthClientRecord): OAuthClientRecord => ({ ...c, redirectUris: [...c.redirectUris], scopes: [...c.scopes] });

/**
 * OAuth clients in a Map (the contract's `OAuthClientRegistry`). Clients never expire, so nothing is swept;
 * the capacity guard bounds the map like every other one. Each method is synchronous inside, so atomic in
 * the process; records are copied in and out.
 */
export class MemoryClientRegistry implements OAuthClientRegistry {
  private readonly map = new Map<string, OAuthClientRecord>();

  constructor(private readonly capacity: Capacity) {}

  get size(): number {
    return this.map.size;
  }

  async find(clientId: string): Promise<OAuthClientRecord | null> {
    const c = this.map.get(clientId);
    return c ? copy(c) : null;
  }

  async create(client: OAuthClientRecord): Promise<boolean> {
    if (this.map.has(client.clientId)) return false;
    // Nothing here expires: a full map stays full (capacity, a 503) until clients are removed.
    this.capacity.room(
      () => this.map.size,
      () => undefined,
      client.createdAt,
    );
    this.map.set(client.clientId, copy(client));
    return true;
  }

  async remove(clientId: string): Promise<boolean> {
    return this.map.delete(clientId);
  }

  async list(): Promise<OAuthClientRecord[]> {
    return [...this.map.keys()].sort().map((id) => copy(this.map.get(id)!));
  }
}
