/**
 * An extraction worker (dist/extract-worker.js): takes batches of files, and for each one answers with
 * its FileRecord serialised (v8 structured clone), read from the on-disk cache when the file's content
 * hash is there, else parsed and extracted here and written to the cache. The buffer is transferred,
 * not copied, and the main thread deserialises it once. The WASM heap never shrinks after
 * tree.delete(), so the pool retires a worker after it has parsed enough bytes.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadGrammar, type GrammarSource, type Settings } from '../engine';
import { Extractor, skippedRecord } from '../engine/link';
import { RecordCache, contentHash, serialise } from './cache';

export interface WorkerInit {
  settings: Settings;
  grammar: GrammarSource;
  cacheDir?: string;
  cacheKey: string;
}
/** `hash`: the content hash when the main thread already read the file (a cache hit then needs no read here). */
export interface WorkItem {
  seq: number;
  abs: string;
  rel: string;
  hash?: string;
  /** Ignore the cache (its entry did not deserialise). */ fresh?: boolean;
}
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'record'; seq: number; buf: Uint8Array; hit: boolean; parsedBytes: number; hash: string }
  | { type: 'fatal'; message: string };

async function main(init: WorkerInit): Promise<void> {
  const port = parentPort!;
  const grammar = await loadGrammar(init.grammar);
  const extractor = new Extractor(grammar, init.settings);
  const cache = init.cacheDir ? new RecordCache(init.cacheDir, init.cacheKey) : undefined;
  port.on('message', (batch: WorkItem[]) => {
    for (const item of batch) {
      const known = item.hash && !item.fresh ? cache?.get(item.hash) : undefined;
      if (known) {
        port.postMessage(
          {
            type: 'record',
            seq: item.seq,
            buf: known,
            hit: true,
            parsedBytes: 0,
            hash: item.hash!,
          } satisfies WorkerReply,
          [known.buffer as ArrayBuffer],
        );
        continue;
      }
      let text: string;
      try {
        text = fs.readFileSync(item.abs, 'utf8');
      } catch (e) {
        const buf = serialise(skippedRecord(item.rel, `cannot read (${(e as Error).message})`));
        port.postMessage(
          { type: 'record', seq: item.seq, buf, hit: false, parsedBytes: 0, hash: '' } satisfies WorkerReply,
          [buf.buffer as ArrayBuffer],
        );
        continue;
      }
      const hash = contentHash(item.rel, text);
      const cached = item.fresh || hash === item.hash ? undefined : cache?.get(hash);
      if (cached) {
        port.postMessage(
          { type: 'record', seq: item.seq, buf: cached, hit: true, parsedBytes: 0, hash } satisfies WorkerReply,
          [cached.buffer as ArrayBuffer],
        );
        continue;
      }
      let buf: Uint8Array;
      try {
        buf = serialise(extractor.extract(item.rel, text));
      } catch (e) {
        buf = serialise(skippedRecord(item.rel, `internal error while indexing (${(e as Error).message})`));
      }
      cache?.put(hash, buf);
      port.postMessage(
        { type: 'record', seq: item.seq, buf, hit: false, parsedBytes: text.length, hash } satisfies WorkerReply,
        [buf.buffer as ArrayBuffer],
      );
    }
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}

if (parentPort) {
  main(workerData as WorkerInit).catch((e: unknown) =>
    parentPort?.postMessage({ type: 'fatal', message: (e as Error).stack ?? String(e) } satisfies WorkerReply),
  );
}
