import type { RequestListener } from 'node:http';

/** One HTTP request as the load generator sends it (static: prebuilt once per connection). */
export interface ReqSpec {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Refusal {
  status: number;
  /** Also required in the body, e.g. `"result":1000`. */
  bodyIncludes?: string;
}

/** A credential seeded into a server, with the user id its `/me` reply must carry. */
export interface Credential {
  request: ReqSpec;
  userId: number;
}

export interface ServerContext {
  /** How many credentials to seed (the hot ones are spread over them). */
  count: number;
  /** Private single-node Redis of this bench run (redis://127.0.0.1:<port>). */
  redisUrl?: string;
  /** Private PostgreSQL of this bench run (postgres://postgres@127.0.0.1:<port>/postgres). */
  pgUrl?: string;
  /** Private 3-master cluster of this bench run. */
  clusterNodes?: Array<{ host: string; port: number }>;
  /** Deadline of one Redis store call, ms (default: the store's). Raised only under valgrind, which runs ~50× slower. */
  redisTimeoutMs?: number;
  /** argon2 hashing concurrency for servers that log users in (default: core's, the number of cores). */
  hashConcurrency?: number;
}

export interface StartedServer {
  handler: RequestListener;
  credentials: Credential[];
  /** A request with a credential of the right shape but a wrong secret (must answer 401). */
  invalid?: ReqSpec;
  /** The same request without any credential (must answer 401). */
  missing?: ReqSpec;
  /** How this protocol answers a refused credential. Default: HTTP 401. (pCloud answers 200 + `result`.) */
  refusal?: Refusal;
  /**
   * The absolute idle deadline (epoch ms) of credential `i`, read from the store. The preflight reads it,
   * makes one request and reads it again: it must have moved (the server slides, as every variant must).
   */
  deadline?(i: number): Promise<number>;
  close(): Promise<void>;
}

/** Each file in bench/servers/ default-exports one of these. */
export interface ServerDef {
  /** One line for the results file: what it is and which options matter. */
  describe: string;
  start(ctx: ServerContext): Promise<StartedServer>;
}

/** Every auth variant validates and slides the same expiry window (as in the baseline). */
export const SLIDE_TTL_MS = 7_200_000;
export const SLIDE_TTL_S = SLIDE_TTL_MS / 1000;
