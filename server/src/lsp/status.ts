/**
 * lockscope's own status requests: the index status (polled by the client's status bar), re-indexing on
 * demand, and the server's memory (for the benchmark and the status command).
 */
import * as v8 from 'node:v8';
import type { IndexStatus, MemoryResult } from '../protocol';
import type { Documents } from './documents';
import type { Indexing } from './indexing';

export class StatusFeature {
  constructor(
    private readonly indexing: Indexing,
    private readonly documents: Documents,
  ) {}

  indexStatus(): IndexStatus {
    return this.indexing.status;
  }

  /** Stop the indexer, drop the index and start again; answers the status at the start. */
  async reindex(): Promise<IndexStatus> {
    await this.indexing.stop();
    this.documents.invalidate();
    void this.indexing.start();
    return this.indexing.status;
  }

  memory(): MemoryResult {
    const mib = (b: number) => Math.round(b / 1024 / 1024);
    (globalThis as { gc?: () => void }).gc?.(); // (under --expose-gc, as the benchmark runs it: live memory only)
    const tenth = (b: number) => Math.round(b / 1024 / 102.4) / 10;
    const code = v8
      .getHeapSpaceStatistics()
      .filter((s) => /code/.test(s.space_name))
      .reduce((n, s) => n + s.space_used_size, 0);
    return {
      rssMiB: mib(process.memoryUsage.rss()),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      heapUsedMiB: tenth(process.memoryUsage().heapUsed),
      codeMiB: tenth(code),
    };
  }
}
