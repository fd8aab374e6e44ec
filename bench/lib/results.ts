import type { LoginResults } from './login';
import type { HeapResult } from './memory-heap';
import type { ForeignUse } from './procstat';
import type { Group } from './registry';
import type { BytesResult, ListCase } from './store-figures';
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
  };
  login?: LoginResults;
  heap?: Section<HeapResult>;
  redisBytes?: Section<BytesResult>;
  list?: Section<ListCase[]>;
  notes: string[];
}
