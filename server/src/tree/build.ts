/**
 * Indexing a kernel tree, for the CLI and the language server alike:
 *   1. read every file and hash it (path + content); with a cache, a snapshot of the whole analysis
 *      under the hashes of all files is loaded and that is all (the warm start);
 *   2. otherwise every file's record comes from the record cache or is extracted, in worker threads
 *      (`jobs` of them; 0 extracts on this thread), demand-first files at the head of the queue;
 *   3. records are added in path order whatever order they came back in, so the result is the same
 *      with any number of workers; then the tree is linked, summarised and checked here, once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Project, type TreeAnalysis } from '../engine';
import { type BuildFacts, Extractor, type FileRecord, rehydrate, skippedRecord } from '../engine/link';
import { ConfigView, type Settings } from '../engine/model';
import { type GrammarSource, findGrammarDir, loadGrammar } from '../engine/syntax';
import { toPosix } from './files';
import { RecordCache, SnapshotCache, cacheKey, claimCacheDir, contentHash, deserialise, serialise } from './cache';
import { type PoolItem, extractInWorkers, workerScript } from './pool';
import { readBuildFacts } from './kbuild-files';

export interface BuildOptions {
  root: string;
  /** Absolute paths; indexed in sorted order. */
  files: string[];
  settings: Settings;
  /** A grammar folder the user named (never one from the tree), and whether unpinned WASM may load. */
  grammar?: GrammarSource;
  /** Extraction workers; 0 extracts on the calling thread. Default: one per core. */
  jobs?: number;
  /** Where the cache lives; undefined: no cache. A folder that is not lockscope's is left alone (see claimCacheDir). */
  cacheDir?: string;
  /** Told when the cache folder cannot be used (the run goes on without it). */
  warn?: (m: string) => void;
  /**
   * Files (tree-relative) indexed even where the kernel configuration leaves them out of the build (the files a
   * user named); the others it leaves out are not indexed (see `BuiltTree.leftOut`).
   */
  keep?: (rel: string) => boolean;
  /** Files (tree-relative) to extract first: the open files and their directories. */
  first?: (rel: string) => boolean;
  /** Called once every `first` file is extracted, with an analysis of those files alone (before the rest is done). */
  onFirst?: (a: TreeAnalysis) => void;
  /**
   * Where the build is: `done` of `total` in `phase` (files hashed, parsed or taken from the cache; functions
   * linked and checked). Called from synchronous loops too, so a reporter prints from here, not from a timer.
   */
  progress?: (done: number, total: number, phase: BuildPhase) => void;
}

/**
 * The phases of a build, in order: reading and hashing every file (with a cache), loading the snapshot of a
 * warm start, parsing (extracting) the files, linking the calls, checking the functions, saving the snapshot.
 */
export type BuildPhase = 'hashing' | 'loading' | 'parsing' | 'linking' | 'checking' | 'saving';

export interface BuildTimings {
  files: number;
  /** Wall seconds: reading and hashing, extraction (incl. cache reads), linking and analysis, in all. */
  read: number;
  extract: number;
  analyse: number;
  total: number;
  jobs: number;
  cacheHits: number;
  parsed: number;
  /** The whole analysis came from the snapshot cache. */
  warm: boolean;
  workersStarted: number;
}

export const defaultJobs = (): number => Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

function isAnalysis(v: unknown): v is TreeAnalysis {
  const a = v as TreeAnalysis;
  return (
    !!a &&
    typeof a === 'object' &&
    !!a.index &&
    Array.isArray(a.index.fns) &&
    Array.isArray(a.findings) &&
    a.fileStats instanceof Map &&
    a.suppressed instanceof Map
  );
}

/** The engine's identity, set by the build in every bundle (scripts/build.mjs); undefined when run unbundled. */
declare const LOCKSCOPE_ENGINE_ID: string | undefined;

/**
 * The key every cache entry is under: this engine, the grammar, the settings. The engine is named by the id the
 * build puts into every bundle — a hash of the engine's sources — so the CLI (dist/cli.js) and the language
 * server's indexer (dist/indexer.js), two bundles of the same sources, compute the same key for the same tree
 * and settings and share one cache. Run unbundled, the bundles themselves are the key.
 */
function keyFor(settings: Settings, grammarDir: string | undefined): string {
  const id = typeof LOCKSCOPE_ENGINE_ID === 'string' ? LOCKSCOPE_ENGINE_ID : undefined;
  let engine: string[] = [];
  if (!id) {
    try {
      engine = [workerScript(), __filename];
    } catch {
      engine = ['no-worker', __filename];
    }
  }
  const g = findGrammarDir(grammarDir).dir ?? '';
  return cacheKey({
    files: [...engine, path.join(g, 'tree-sitter-c.wasm'), path.join(g, 'calls.scm'), path.join(g, 'initializers.scm')],
    settings: { engine: id ?? 'unbundled', settings: canonical(cacheRelevant(settings)) },
  });
}

/** A value with its objects' keys sorted, so that settings read in any order give one key. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/**
 * The settings that change what is extracted or found (not how many workers, where the cache is, how paths
 * are shown, or which confidence is shown: findings of every level are in the analysis). The kernel
 * configuration counts by what it sets, not by where it was read: a changed .config is a new key, and the CLI
 * and the editor reading the same one from two paths share one.
 */
function cacheRelevant(settings: Settings): Record<string, unknown> {
  const {
    'index.workers': _w,
    'index.cache': _c,
    pathOrder: _p,
    'trace.server': _t,
    confidence: _conf,
    kconfig: _k,
    kernelConfig,
    ...rest
  } = settings;
  return { ...rest, kernelConfig: kernelConfig ? kernelConfig.values : 'none' };
}

/** The cache key for a tree indexed with `settings` (the CLI and the editor share entries under it). */
export function cacheKeyFor(settings: Settings, grammar?: GrammarSource): string {
  return keyFor(settings, grammar?.dir || undefined);
}

interface Extracted {
  hits: number;
  parsed: number;
  workersStarted: number;
}

/** The warm start: the whole analysis from the snapshot cache, by the hashes of every file (read here). */
function warmStart(
  items: PoolItem[],
  o: BuildOptions,
  snapshots: SnapshotCache,
  buildFiles: readonly { rel: string; hash: string }[],
): TreeAnalysis | undefined {
  for (const it of items) {
    try {
      it.hash = contentHash(it.rel, fs.readFileSync(it.abs, 'utf8'));
    } catch {
      it.hash = undefined;
    }
    if (it.seq % 500 === 0) o.progress?.(it.seq, items.length, 'hashing');
  }
  o.progress?.(0, 1, 'loading');
  const warm = snapshots.get(
    SnapshotCache.treeHash([...items.map((i) => ({ rel: i.rel, hash: i.hash ?? 'unreadable' })), ...buildFiles]),
    isAnalysis,
  );
  if (warm) warm.index.root = o.root;
  return warm;
}

/**
 * Counts records as they arrive (progress every 50), and once every `first` file is in, hands
 * `onFirst` an analysis of those files alone.
 */
function arrivals(
  items: PoolItem[],
  o: BuildOptions,
  build: BuildFacts,
): { queue: PoolItem[]; took: (rec: FileRecord, seq: number) => void } {
  const first = o.first;
  const firstSeqs = new Set(first ? items.filter((i) => first(i.rel)).map((i) => i.seq) : []);
  const firstRecords: FileRecord[] = [];
  let firstDone = firstSeqs.size === 0;
  let done = 0;
  const took = (rec: FileRecord, seq: number) => {
    if (!firstDone && firstSeqs.has(seq)) {
      firstRecords.push(rec);
      if (firstRecords.length === firstSeqs.size) {
        firstDone = true;
        const partial = new Project(undefined, o.settings);
        partial.setBuild(build);
        for (const r of firstRecords.sort((a, b) => (a.file < b.file ? -1 : 1))) partial.addRecord(r);
        o.onFirst?.(partial.analysis(o.root));
      }
    }
    if (++done % 10 === 0) o.progress?.(done, items.length, 'parsing');
  };
  const queue = first
    ? [...items.filter((i) => firstSeqs.has(i.seq)), ...items.filter((i) => !firstSeqs.has(i.seq))]
    : items;
  return { queue, took };
}

/**
 * jobs = 0: extract on this thread, through the record cache; `extracted[seq]` gets the hash of the text each
 * record came from.
 */
async function extractHere(
  queue: PoolItem[],
  o: BuildOptions,
  cache: RecordCache | undefined,
  extracted: string[],
  took: (rec: FileRecord, seq: number) => void,
): Promise<{ records: FileRecord[]; result: Extracted }> {
  const extractor = new Extractor(await loadGrammar(o.grammar), o.settings);
  const result: Extracted = { hits: 0, parsed: 0, workersStarted: 0 };
  const records: FileRecord[] = new Array(extracted.length);
  for (const it of queue) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(it.abs, 'utf8');
    } catch (e) {
      records[it.seq] = skippedRecord(it.rel, `cannot read (${(e as Error).message})`);
    }
    if (text !== undefined) {
      // the text read now, which may differ from the one hashed above if it was saved meanwhile
      const hash = contentHash(it.rel, text);
      extracted[it.seq] = hash;
      const buf = cache?.get(hash);
      let rec: FileRecord | undefined;
      if (buf) {
        try {
          rec = rehydrate(deserialise<FileRecord>(buf));
          result.hits++;
        } catch {
          rec = undefined;
        }
      }
      if (!rec) {
        const fresh = extractor.extract(it.rel, text);
        if (cache) cache.put(hash, serialise(fresh));
        rec = rehydrate(fresh);
        result.parsed++;
      }
      records[it.seq] = rec;
    }
    took(records[it.seq], it.seq);
  }
  return { records, result };
}

/**
 * Every file's record, from the record cache or extracted (in `jobs` workers, or on this thread), added
 * to `project` in path order; `extracted[seq]` is the hash of the text each record was made from.
 */
async function extractRecords(
  items: PoolItem[],
  o: BuildOptions,
  jobs: number,
  cache: { dir: string | undefined; key: string },
  project: Project,
  build: BuildFacts,
): Promise<{ result: Extracted; extracted: string[] }> {
  const { dir: cacheDir, key } = cache;
  const { queue, took } = arrivals(items, o, build);
  /** The hash of the text each record was made from: the snapshot goes under these, not the hashes read first. */
  const extracted: string[] = new Array(items.length).fill('');
  if (jobs > 0) {
    const result = await extractInWorkers(
      queue,
      {
        jobs,
        init: { settings: o.settings, grammar: o.grammar ?? {}, cacheDir, cacheKey: key },
        onArrive: (rec, item) => took(rec, item.seq),
      },
      (rec, item, _hit, hash) => {
        extracted[item.seq] = hash;
        project.addRecord(rec);
      },
    );
    return { result, extracted };
  }
  const here = await extractHere(queue, o, cacheDir ? new RecordCache(cacheDir, key) : undefined, extracted, took);
  for (const r of here.records) project.addRecord(r);
  return { result: here.result, extracted };
}

/**
 * The build facts, and the files to index: all but those the kernel configuration leaves out of the build
 * (`leftOut`, with why), unless `o.keep` keeps them.
 */
function configured(
  o: BuildOptions,
  rels: string[],
  files: string[],
): { build: ReturnType<typeof readBuildFacts>; items: PoolItem[]; leftOut: BuiltTree['leftOut'] } {
  const build = readBuildFacts(o.root, rels, new ConfigView(o.settings.kernelConfig));
  const leftOut = rels
    .filter((r) => build.leftOut.has(r) && !o.keep?.(r))
    .map((r) => ({ file: r, reason: build.leftOut.get(r)! }));
  const dropped = new Set(leftOut.map((l) => l.file));
  const items: PoolItem[] = [];
  files.forEach((abs, i) => {
    if (!dropped.has(rels[i])) items.push({ seq: items.length, abs, rel: rels[i] });
  });
  return { build, items, leftOut };
}

/** What a build gives: the analysis, its timings, and the files the configuration left out of it (with why). */
export interface BuiltTree {
  analysis: TreeAnalysis;
  timings: BuildTimings;
  leftOut: { file: string; reason: string }[];
}

export async function buildTree(o: BuildOptions): Promise<BuiltTree> {
  const t0 = performance.now();
  const files = [...new Set(o.files)].sort();
  const jobs = o.jobs ?? defaultJobs();
  const rel = (abs: string) => toPosix(path.relative(o.root, abs));
  const refused = o.cacheDir ? claimCacheDir(o.cacheDir) : undefined;
  if (refused) o.warn?.(`not using the cache: ${refused}`);
  let cacheDir = refused ? undefined : o.cacheDir;
  const key = cacheDir ? keyFor(o.settings, o.grammar?.dir || undefined) : '';
  // 1. the build files (which files the configuration leaves out), hashes, and the warm start
  o.progress?.(0, files.length, cacheDir ? 'hashing' : 'parsing');
  const { build, items, leftOut } = configured(o, files.map(rel), files);
  let snapshots = cacheDir ? new SnapshotCache(cacheDir, key) : undefined;
  const warm = snapshots && warmStart(items, o, snapshots, build.read);
  const tRead = performance.now();
  const seconds = (a: number, b: number) => (b - a) / 1000;
  if (warm) {
    const total = seconds(t0, performance.now());
    return {
      analysis: warm,
      leftOut,
      timings: {
        files: items.length,
        read: seconds(t0, tRead),
        extract: 0,
        analyse: 0,
        total,
        jobs,
        cacheHits: items.length,
        parsed: 0,
        warm: true,
        workersStarted: 0,
      },
    };
  }
  if (cacheDir && !RecordCache.prepare(cacheDir, key)) {
    snapshots = undefined;
    cacheDir = undefined;
  } // an unusable cache only costs speed
  // 2. records
  const project = new Project(undefined, o.settings);
  project.setBuild(build.facts);
  o.progress?.(0, items.length, 'parsing'); // the workers start: a line to repeat until the first records are in
  const { result, extracted } = await extractRecords(items, o, jobs, { dir: cacheDir, key }, project, build.facts);
  o.progress?.(items.length, items.length, 'parsing');
  const tExtract = performance.now();
  // 3. link, summarise, check
  if (o.progress) project.onPhase = (phase, done, total) => o.progress?.(done, total, phase);
  const analysis = project.analysis(o.root);
  project.onPhase = undefined;
  const tAnalyse = performance.now();
  if (snapshots) o.progress?.(0, 1, 'saving');
  snapshots?.put(
    SnapshotCache.treeHash([
      ...items.map((i) => ({ rel: i.rel, hash: extracted[i.seq] || 'unreadable' })),
      ...build.read,
    ]),
    analysis,
  );
  return {
    analysis,
    leftOut,
    timings: {
      files: items.length,
      read: seconds(t0, tRead),
      extract: seconds(tRead, tExtract),
      analyse: seconds(tExtract, tAnalyse),
      total: seconds(t0, performance.now()),
      jobs,
      cacheHits: result.hits,
      parsed: result.parsed,
      warm: false,
      workersStarted: result.workersStarted,
    },
  };
}
