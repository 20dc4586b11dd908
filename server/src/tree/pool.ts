/**
 * Extraction over many files in worker threads (one per core unless told otherwise). The queue is
 * served in the order given (demand-first callers put the open files first); records come back in any
 * order and are handed on in the canonical order (`seq`), so the index is the same with 1 or N workers.
 * A worker is retired and replaced once it has parsed `recycleBytes`: the WASM heap never shrinks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type FileRecord, rehydrate, skippedRecord } from '../engine/link';
import { deserialise } from './cache';
import type { WorkItem, WorkerInit, WorkerReply } from './extract-worker';

export interface PoolItem {
  seq: number;
  abs: string;
  rel: string;
  hash?: string;
  fresh?: boolean;
}

export interface PoolOptions {
  jobs: number;
  init: WorkerInit;
  /** dist/extract-worker.js; found next to this bundle (or above it) when not given. */
  script?: string;
  /** Parsed bytes after which a worker is replaced (default 48 MiB). */
  recycleBytes?: number;
  /** Files per message (default 6). */
  batch?: number;
  /** Each record as it arrives (any order), before it is handed on in order. */
  onArrive?: (rec: FileRecord, item: PoolItem) => void;
}

export interface PoolResult {
  hits: number;
  parsed: number;
  workersStarted: number;
}

/** The extraction worker script next to the running bundle, or in a dist/ above it (tests run from test/out/). */
export function workerScript(): string {
  const near = path.join(__dirname, 'extract-worker.js');
  if (fs.existsSync(near)) return near;
  for (let d = __dirname; path.dirname(d) !== d; d = path.dirname(d)) {
    const f = path.join(d, 'dist', 'extract-worker.js');
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`lockscope: extract-worker.js not found near ${__dirname}; run "npm run build"`);
}

/** `pending`: records still due from the batches sent to this worker. */
interface Slot {
  worker: Worker;
  pending: number;
  parsed: number;
  retiring: boolean;
}

type OnRecord = (rec: FileRecord, item: PoolItem, hit: boolean, hash: string) => void;

/** One run of the pool: workers fed in batches, records handed on in `seq` order, workers recycled. */
class PoolRun {
  private readonly script: string;
  private readonly recycle: number;
  private readonly batchSize: number;
  private readonly queue: PoolItem[];
  private readonly bySeq: Map<number, PoolItem>;
  private readonly done = new Map<number, { rec: FileRecord; hit: boolean; hash: string }>();
  private readonly order: number[];
  private next = 0;
  private failed = false;
  private readonly slots = new Set<Slot>();
  readonly result: PoolResult = { hits: 0, parsed: 0, workersStarted: 0 };

  constructor(
    items: PoolItem[],
    private readonly opts: PoolOptions,
    private readonly onRecord: OnRecord,
    private readonly resolve: (r: PoolResult) => void,
    private readonly reject: (e: Error) => void,
  ) {
    this.script = opts.script ?? workerScript();
    this.recycle = opts.recycleBytes ?? 48 * 1024 * 1024;
    this.batchSize = opts.batch ?? 6;
    this.queue = [...items];
    this.bySeq = new Map(items.map((i) => [i.seq, i]));
    this.order = [...items].sort((a, b) => a.seq - b.seq).map((i) => i.seq);
  }

  fail(e: Error): void {
    if (this.failed) return;
    this.failed = true;
    for (const s of this.slots) void s.worker.terminate();
    this.reject(e);
  }

  private flush(): void {
    while (this.next < this.order.length && this.done.has(this.order[this.next])) {
      const seq = this.order[this.next++];
      const d = this.done.get(seq)!;
      this.done.delete(seq);
      this.onRecord(d.rec, this.bySeq.get(seq)!, d.hit, d.hash);
    }
    if (this.next === this.order.length) {
      for (const s of this.slots) void s.worker.terminate();
      this.slots.clear();
      this.resolve(this.result);
    }
  }

  private feed(s: Slot): void {
    // two batches in flight: the worker never waits for the main thread
    while (!s.retiring && s.pending < 2 * this.batchSize && this.queue.length) {
      const batch: WorkItem[] = this.queue.splice(0, this.batchSize).map((i) => ({
        seq: i.seq,
        abs: i.abs,
        rel: i.rel,
        ...(i.hash ? { hash: i.hash } : {}),
        ...(i.fresh ? { fresh: true } : {}),
      }));
      s.pending += batch.length;
      s.worker.postMessage(batch);
    }
  }

  start(): void {
    const worker = new Worker(this.script, { workerData: this.opts.init });
    this.result.workersStarted++;
    const s: Slot = { worker, pending: 0, parsed: 0, retiring: false };
    this.slots.add(s);
    worker.on('message', (m: WorkerReply) => this.message(s, m));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => {
      if (this.slots.has(s) && code !== 0 && !this.failed && this.next < this.order.length)
        this.fail(new Error(`lockscope: an extraction worker exited with code ${code}`));
    });
  }

  private message(s: Slot, m: WorkerReply): void {
    if (this.failed) return;
    if (m.type === 'ready') {
      this.feed(s);
      return;
    }
    if (m.type === 'fatal') {
      this.fail(new Error(m.message));
      return;
    }
    s.pending--;
    this.arrived(m);
    s.parsed += m.parsedBytes;
    if (s.parsed >= this.recycle && this.queue.length) s.retiring = true;
    if (s.retiring && s.pending === 0) {
      this.slots.delete(s);
      void s.worker.terminate();
      this.start();
    } else this.feed(s);
    this.flush();
  }

  private arrived(m: Extract<WorkerReply, { type: 'record' }>): void {
    const item = this.bySeq.get(m.seq)!;
    let rec: FileRecord | undefined;
    try {
      rec = rehydrate(deserialise<FileRecord>(m.buf));
    } catch {
      rec = undefined;
    }
    if ((!rec || rec.file !== item.rel) && !item.fresh) {
      // a cache entry that passed its checksum but not deserialisation: extract it again, uncached
      const again = { ...item, fresh: true };
      this.bySeq.set(item.seq, again);
      this.queue.unshift(again);
      return;
    }
    if (!rec || rec.file !== item.rel)
      rec = skippedRecord(item.rel, 'internal error: its extracted record did not deserialise');
    this.opts.onArrive?.(rec, item);
    this.done.set(m.seq, { rec, hit: m.hit, hash: m.hash });
    if (m.hit) this.result.hits++;
    else this.result.parsed++;
  }
}

/**
 * Extract every item; `onRecord` is called once per item, in `seq` order (0..n-1 must all be present),
 * with the content hash of the text the record was made from ('' when unreadable).
 * Rejects if a worker cannot start (no grammar): the caller reports it.
 */
export function extractInWorkers(items: PoolItem[], opts: PoolOptions, onRecord: OnRecord): Promise<PoolResult> {
  const jobs = Math.max(1, Math.min(opts.jobs, items.length || 1));
  return new Promise<PoolResult>((resolve, reject) => {
    if (!items.length) {
      resolve({ hits: 0, parsed: 0, workersStarted: 0 });
      return;
    }
    const run = new PoolRun(items, opts, onRecord, resolve, reject);
    for (let i = 0; i < jobs; i++) run.start();
  });
}
