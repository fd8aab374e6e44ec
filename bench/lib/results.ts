import type { LoginResults } from './login';
import type { HeapResult } from './memory-heap';
import type { ForeignUse } from './procstat';
import type { FloodResult } from './signup-flood';
import type { Group } from './registry';
import type { BytesResult, ListCase, PgBytesResult } from './store-figures';
import type { Run, SeriesConfig } from './throughput';

export type Section<T> = { ok: true; value: T } | { ok: false; error: string } | undefined;

/** Everything one `npm run bench` measured; the Markdown report is rendered from this alone. */
export interface BenchResults {
  startedAt: string;
  wallMs: number;
  mode: 'full' | 'quick';
  command: string;
  env: {
    node: string;
    redis: string | null;
    /** Server version of the bench's private PostgreSQL, when one ran. */
    postgres?: string | null;
    cpu: string;
    cores: number;
    kernel: string;
    memGiB: number;
    versions: Record<string, string>;
    loadavgStart: number[];
    loadavgEnd: number[];
    /** Other processes that used CPU over the whole bench, busiest first. */
    foreign: ForeignUse[];
  };
  series?: {
    config: SeriesConfig;
    runs: Run[];
    servers: Array<{ name: string; group: Group; unavailable?: string; redis?: 'single' | 'cluster' }>;
    /** `--compare <ref>`: the commit whose authmount servers ran as `<name>@<sha7>` in the same rounds. */
    compare?: { ref: string; sha: string; suffix: string };
  };
  login?: LoginResults;
  /** A login's latency while 150 sign-ups arrive in parallel, before and after argon2 load shedding. */
  flood?: Section<FloodResult>;
  heap?: Section<HeapResult>;
  redisBytes?: Section<BytesResult>;
  pgBytes?: Section<PgBytesResult>;
  list?: Section<ListCase[]>;
  notes: string[];
}
