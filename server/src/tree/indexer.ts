/**
 * The background indexer (a worker thread of the language server, dist/indexer.js): indexes the tree's
 * roots with the extraction workers and the on-disk cache (tree/build.ts), the open files' directories
 * first, and sends the linked index back: once for those directories alone (so open files get
 * interprocedural diagnostics early), then for the whole tree. Linking and the fixpoint run here, off
 * the server's main thread. The whole tree's findings (suppression comments applied) go with the final index,
 * for the editor's findings view.
 */
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { type Finding, type GrammarSource, type Settings, type TreeIndex, findingsFor } from '../engine';
import { treeFiles } from './files';
import { type BuildPhase, buildTree, type BuildTimings } from './build';

export interface IndexRequest {
  root: string;
  settings: Settings;
  grammar: GrammarSource;
  /** Extraction workers (undefined: one per core). */
  jobs?: number;
  /** The on-disk cache folder (undefined: none). */
  cacheDir?: string;
  /** Tree-relative paths of the open files: their directories are indexed first. */
  open: string[];
}
export type IndexMessage =
  | { type: 'progress'; done: number; total: number; phase: BuildPhase }
  | { type: 'warning'; message: string }
  | { type: 'partial'; index: TreeIndex; files: number }
  | {
      type: 'done';
      index: TreeIndex;
      /** Every file's findings, lock-order inversions included when their severity is on. */
      findings: Finding[];
      files: number;
      seconds: number;
      skipped: number;
      functionsWithParseErrors: number;
      timings: BuildTimings;
    }
  | { type: 'error'; message: string };

async function run(req: IndexRequest): Promise<void> {
  const post = (m: IndexMessage) => parentPort?.postMessage(m);
  const files = treeFiles(req.root, req.settings);
  const dirs = new Set(req.open.map((f) => path.posix.dirname(f)));
  const first = dirs.size ? (rel: string) => dirs.has(path.posix.dirname(rel)) : undefined;
  const { analysis, timings } = await buildTree({
    root: req.root,
    files,
    settings: req.settings,
    grammar: req.grammar,
    jobs: req.jobs,
    cacheDir: req.cacheDir,
    first,
    onFirst: (a) => post({ type: 'partial', index: a.index, files: a.fileStats.size }),
    progress: (done, total, phase) => post({ type: 'progress', done, total, phase }),
    warn: (message) => post({ type: 'warning', message }),
  });
  let broken = 0;
  for (const s of analysis.fileStats.values()) broken += s.functionsWithParseErrors;
  post({
    type: 'done',
    index: analysis.index,
    findings: findingsFor(analysis, req.settings, () => true).findings,
    files: files.length,
    seconds: timings.total,
    skipped: analysis.skipped.length,
    functionsWithParseErrors: broken,
    timings,
  });
}

if (parentPort) {
  run(workerData as IndexRequest).catch((e: unknown) =>
    parentPort?.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) }),
  );
}
