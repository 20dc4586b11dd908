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

export interface PoolItem { seq: number; abs: string; rel: string; hash?: string; fresh?: boolean }

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

export interface PoolResult { hits: number; parsed: number; workersStarted: number }

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
interface Slot { worker: Worker; pending: number; parsed: number; retiring: boolean }

/**
 * Extract every item; `onRecord` is called once per item, in `seq` order (0..n-1 must all be present),
 * with the content hash of the text the record was made from ('' when unreadable).
 * Rejects if a worker cannot start (no grammar): the caller reports it.
 */
export function extractInWorkers(items: PoolItem[], opts: PoolOptions, onRecord: (rec: FileRecord, item: PoolItem, hit: boolean, hash: string) => void): Promise<PoolResult> {
  const script = opts.script ?? workerScript();
  const recycle = opts.recycleBytes ?? 48 * 1024 * 1024;
  const batchSize = opts.batch ?? 6;
  const jobs = Math.max(1, Math.min(opts.jobs, items.length || 1));
  const queue = [...items];
  const bySeq = new Map(items.map((i) => [i.seq, i]));
  const done = new Map<number, { rec: FileRecord; hit: boolean; hash: string }>();
  const order = [...items].sort((a, b) => a.seq - b.seq).map((i) => i.seq);
  let next = 0;
  const result: PoolResult = { hits: 0, parsed: 0, workersStarted: 0 };
  const slots = new Set<Slot>();

  return new Promise<PoolResult>((resolve, reject) => {
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const s of slots) void s.worker.terminate();
      reject(e);
    };
    const flush = () => {
      while (next < order.length && done.has(order[next])) {
        const seq = order[next++];
        const d = done.get(seq)!;
        done.delete(seq);
        onRecord(d.rec, bySeq.get(seq)!, d.hit, d.hash);
      }
      if (next === order.length) {
        for (const s of slots) void s.worker.terminate();
        slots.clear();
        resolve(result);
      }
    };
    const feed = (s: Slot) => {
      // two batches in flight: the worker never waits for the main thread
      while (!s.retiring && s.pending < 2 * batchSize && queue.length) {
        const batch: WorkItem[] = queue.splice(0, batchSize).map((i) => ({ seq: i.seq, abs: i.abs, rel: i.rel, ...(i.hash ? { hash: i.hash } : {}), ...(i.fresh ? { fresh: true } : {}) }));
        s.pending += batch.length;
        s.worker.postMessage(batch);
      }
    };
    const start = () => {
      const worker = new Worker(script, { workerData: opts.init });
      result.workersStarted++;
      const s: Slot = { worker, pending: 0, parsed: 0, retiring: false };
      slots.add(s);
      worker.on('message', (m: WorkerReply) => {
        if (failed) return;
        if (m.type === 'ready') { feed(s); return; }
        if (m.type === 'fatal') { fail(new Error(m.message)); return; }
        s.pending--;
        const item = bySeq.get(m.seq)!;
        let rec: FileRecord | undefined;
        try { rec = rehydrate(deserialise<FileRecord>(m.buf)); } catch { rec = undefined; }
        if ((!rec || rec.file !== item.rel) && !item.fresh) {
          // a cache entry that passed its checksum but not deserialisation: extract it again, uncached
          const again = { ...item, fresh: true };
          bySeq.set(item.seq, again);
          queue.unshift(again);
        } else {
          if (!rec || rec.file !== item.rel) rec = skippedRecord(item.rel, 'internal error: its extracted record did not deserialise');
          opts.onArrive?.(rec, item);
          done.set(m.seq, { rec, hit: m.hit, hash: m.hash });
          if (m.hit) result.hits++; else result.parsed++;
        }
        s.parsed += m.parsedBytes;
        if (s.parsed >= recycle && queue.length) s.retiring = true;
        if (s.retiring && s.pending === 0) {
          slots.delete(s);
          void worker.terminate();
          start();
        } else feed(s);
        flush();
      });
      worker.on('error', (e) => fail(e));
      worker.on('exit', (code) => { if (slots.has(s) && code !== 0 && !failed && next < order.length) fail(new Error(`lockscope: an extraction worker exited with code ${code}`)); });
    };
    if (!items.length) { resolve(result); return; }
    for (let i = 0; i < jobs; i++) start();
  });
}
