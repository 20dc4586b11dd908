/**
 * The background indexer (a worker thread of the language server, dist/indexer.js): parses the tree's
 * default roots, summarises every function, and sends the linked index back. The syntax trees and
 * the WASM heap stay in this thread and go away with it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { Project, type Settings, loadGrammar } from './engine';
import { toPosix } from './cli/files';
import { treeFiles } from './cli/tree';

export interface IndexRequest { root: string; settings: Settings; grammarDir: string }
export type IndexMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; index: ReturnType<Project['exportIndex']>; files: number; seconds: number; skipped: number }
  | { type: 'error'; message: string };

async function run(req: IndexRequest): Promise<void> {
  const t0 = Date.now();
  const post = (m: IndexMessage) => parentPort?.postMessage(m);
  const grammar = await loadGrammar(req.grammarDir || undefined);
  const files = treeFiles(req.root, req.settings);
  const project = new Project(grammar, req.settings);
  let done = 0;
  for (const f of files) {
    try { project.addFile(toPosix(path.relative(req.root, f)), fs.readFileSync(f, 'utf8')); } catch { /* counted as skipped below */ }
    if (++done % 50 === 0) post({ type: 'progress', done, total: files.length });
  }
  post({ type: 'progress', done, total: files.length });
  const index = project.exportIndex(req.root);
  post({ type: 'done', index, files: files.length, seconds: (Date.now() - t0) / 1000, skipped: project.skippedFiles.length });
}

if (parentPort) {
  run(workerData as IndexRequest).catch((e: unknown) => parentPort?.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) }));
}
