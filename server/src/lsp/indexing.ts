/**
 * Indexing a workspace that is a kernel tree (it has include/linux/) in a worker thread (dist/indexer.js):
 * fs/, include/, mm/ and block/ are summarised so that open files are analysed against the rest of the
 * tree; until then (and when indexing fails) open files are analysed on their own. The status is what
 * lockscope/indexStatus answers; progress shows as work-done progress when the client can show it. A
 * failure — the indexer missing, failing to start, failing or dying midway, or no grammar to index with —
 * is shown to the user (window/showMessage), logged with its details, and leaves the status `failed`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import { type Finding, shareStrings } from '../engine';
import { ExternalIndex } from '../incremental';
import type { IndexStatus } from '../protocol';
import type { BuildPhase } from '../tree/build';
import type { IndexMessage, IndexRequest } from '../tree/indexer';
import { type Log, MessageType } from './log';
import type { Configuration } from './settings';
import type { Startup } from './startup';
import type { Workspace } from './workspace';

export interface IndexingHooks {
  /** The open files' tree-relative paths (their directories are indexed first). */
  openFiles(): string[];
  /** A new index is in force (the open files' directories, then the whole tree): analyse open files again. */
  indexed(): void;
}

/** One run of the indexer. */
interface Run {
  root: string;
  worker: Worker;
  progress?: WorkDoneProgressServerReporter;
}

export class Indexing {
  /** The rest of the kernel tree, as edits change it; undefined until the first part is indexed. */
  index?: ExternalIndex;
  /** The whole tree's findings as the last complete run found them (files edited since have their own). */
  findings: Finding[] = [];
  status: IndexStatus = { state: 'none' };
  private run?: Run;

  constructor(
    private readonly connection: Connection,
    private readonly startup: Startup,
    private readonly workspace: Workspace,
    private readonly config: Configuration,
    private readonly log: Log,
    private readonly hooks: IndexingHooks,
  ) {}

  /** Start indexing the workspace's kernel tree, if it has one and no indexer runs (the status moves at once). */
  async start(): Promise<void> {
    const root = this.workspace.kernelTree();
    if (!root || this.run) return;
    const script = path.join(__dirname, 'indexer.js');
    if (!fs.existsSync(script)) return this.fail(`${script} is missing`, root);
    this.workspace.indexRoot = root;
    this.status = { state: 'indexing', root, done: 0 };
    const progress = this.startup.canProgress
      ? await this.connection.window.createWorkDoneProgress().catch(() => undefined)
      : undefined;
    progress?.begin('lockscope: indexing the tree', 0, root, false);
    this.log.log(`lockscope: indexing ${root} in the background`);
    const settings = this.config.settings;
    const req: IndexRequest = {
      root,
      settings,
      grammar: this.startup.grammar,
      open: this.hooks.openFiles(),
      jobs: settings['index.workers'] || undefined,
      cacheDir: settings['index.cache'] ? this.startup.cacheDir : undefined,
    };
    let worker: Worker;
    try {
      worker = new Worker(script, { workerData: req });
    } catch (e) {
      progress?.done();
      return this.fail(`the indexer did not start: ${(e as Error).message}`, root);
    }
    const run: Run = { root, worker, progress };
    this.run = run;
    worker.on('message', (m: IndexMessage) => this.onMessage(run, m));
    worker.on('error', (e) => this.failed(run, `the indexer stopped: ${e.message}`, e.stack));
    worker.on('exit', (code) => this.failed(run, `the indexer exited (code ${code}) before it was done`));
  }

  /** Stop the indexer and drop the index (re-indexing starts again with `start`). */
  async stop(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    this.index = undefined;
    this.findings = [];
    await run?.worker.terminate();
  }

  /** Nothing can be indexed (the grammar did not load; that was shown already): the status says why. */
  unavailable(message: string): void {
    const root = this.workspace.kernelTree();
    this.status = { state: 'failed', ...(root ? { root } : {}), message };
  }

  private fail(message: string, root: string, details?: string): void {
    this.status = { state: 'failed', root, message };
    if (details) this.log.error(`lockscope: indexing failed: ${details}`);
    this.log.show(MessageType.Error, `lockscope: indexing failed: ${message}; open files are analysed on their own`);
  }

  private onMessage(run: Run, m: IndexMessage): void {
    if (this.run !== run) return; // an indexer stopped meanwhile
    if (m.type === 'progress') {
      this.status = { ...this.status, done: m.done, total: m.total, phase: m.phase };
      const { percent, message } = progressOf(m);
      run.progress?.report(percent, message);
    } else if (m.type === 'warning') {
      this.log.log(`lockscope: ${m.message}`);
    } else if (m.type === 'partial') {
      // the open files' directories are indexed: analyse open files against them until the whole tree is
      this.index = new ExternalIndex(m.index);
      const n = this.index.functions;
      this.log.log(`lockscope: indexed the open files' directories first (${m.files} files, ${n} functions)`);
      this.hooks.indexed();
    } else if (m.type === 'done') {
      this.done(run, m);
    } else {
      this.failed(run, m.message.split('\n')[0], m.message);
    }
  }

  private done(run: Run, m: Extract<IndexMessage, { type: 'done' }>): void {
    shareStrings(m.index);
    this.index = new ExternalIndex(m.index);
    this.findings = m.findings;
    const t = m.timings;
    this.status = {
      state: 'ready',
      root: run.root,
      files: m.files,
      functions: this.index.functions,
      seconds: m.seconds,
      functionsWithParseErrors: m.functionsWithParseErrors,
      cacheHits: t.cacheHits,
      parsed: t.parsed,
      warm: t.warm,
      workers: t.jobs,
    };
    run.progress?.done();
    const how = t.warm
      ? 'the whole analysis from the cache'
      : `${t.cacheHits} from the cache, ${t.parsed} parsed with ${t.jobs} workers ` +
        `(extract ${t.extract.toFixed(1)} s, analyse ${t.analyse.toFixed(1)} s)`;
    this.log.log(
      `lockscope: indexed ${m.files} files (${this.index.functions} functions) in ${m.seconds.toFixed(1)} s: ${how}`,
    );
    this.hooks.indexed();
    void run.worker.terminate();
  }

  /** The run failed (once: a failing worker also exits); the open files go on against what was indexed. */
  private failed(run: Run, message: string, details?: string): void {
    if (this.run !== run || this.status.state !== 'indexing') return;
    run.progress?.done();
    this.fail(message, run.root, details);
    void run.worker.terminate();
  }
}

/**
 * Work-done progress for a phase of indexing: each phase has its share of the bar (parsing most of it,
 * checking the functions the next), and says what it is doing, so the bar is not at 100 % while linking.
 */
const SHARE: Record<BuildPhase, [number, number]> = {
  hashing: [0, 5],
  loading: [5, 95],
  parsing: [5, 70],
  linking: [70, 72],
  checking: [72, 98],
  saving: [98, 99],
};
const WORDS: Record<BuildPhase, string> = {
  hashing: 'reading files',
  loading: 'loading the cached analysis',
  parsing: 'parsing',
  linking: 'linking calls',
  checking: 'checking',
  saving: 'saving the analysis to the cache',
};

export function progressOf(m: { done: number; total: number; phase: BuildPhase }): {
  percent: number;
  message: string;
} {
  const [from, to] = SHARE[m.phase];
  const part = m.total > 0 ? Math.min(1, m.done / m.total) : 0;
  const unit = m.phase === 'checking' ? 'functions' : 'files';
  const counted = m.phase === 'hashing' || m.phase === 'parsing' || m.phase === 'checking';
  return {
    percent: Math.floor(from + (to - from) * part),
    message: counted && m.total ? `${WORDS[m.phase]} ${m.done}/${m.total} ${unit}` : WORDS[m.phase],
  };
}
