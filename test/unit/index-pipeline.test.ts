/**
 * The tree-indexing pipeline (server/src/tree/*): buildTree, the worker pool and the on-disk cache,
 * called directly on copies of test/trees/* in temp folders (caches and edits never touch the repo).
 *   - determinism: 0, 1 or N workers (and demand-first ordering) give the same findings and index;
 *   - the pool: worker recycling, records handed on in seq order, one per item;
 *   - the cache: cold, warm, one file edited, corrupt records, torn snapshots, settings that change results.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as zlib from 'node:zlib';
import { describe, test } from 'node:test';
import {
  defaultSettings,
  mergeSettings,
  parseSettings,
  readWorkspaceFile,
  type Settings,
} from '../../server/src/engine';
import { findingsFor, type TreeAnalysis } from '../../server/src/engine';
import type { FileRecord } from '../../server/src/engine/link';
import type { Finding } from '../../server/src/engine/model';
import { treeFiles } from '../../server/src/tree/files';
import { type BuildOptions, buildTree } from '../../server/src/tree/build';
import { contentHash } from '../../server/src/tree/cache';
import { type PoolItem, extractInWorkers } from '../../server/src/tree/pool';
import { repoRoot } from '../support/engine';

const TREES = path.join(repoRoot(), 'test', 'trees');
const TREE_NAMES = fs
  .readdirSync(TREES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-index-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A copy of test/trees/<name> in a fresh temp folder; returns the copy's root. */
function copyTree(t: { after: (fn: () => void) => void }, name: string): { root: string; tmp: string } {
  const tmp = tempDir(t);
  const root = path.join(tmp, name);
  fs.cpSync(path.join(TREES, name), root, { recursive: true });
  return { root, tmp };
}

/** What the CLI uses: the defaults, the tree root's .lockscope.json, then `over`. */
function settingsFor(root: string, over: Partial<Settings> = {}): Settings {
  return mergeSettings(mergeSettings(defaultSettings(), readWorkspaceFile(root).settings ?? {}), over);
}

type Opts = Omit<BuildOptions, 'root' | 'files' | 'settings'>;

function build(root: string, settings: Settings, opts: Opts) {
  return buildTree({ root, files: treeFiles(root, settings), settings, ...opts });
}

const everywhere = () => true;

/** Everything that must not depend on workers or the cache: findings (full objects, in order), the index. */
function shape(a: TreeAnalysis, settings: Settings) {
  return {
    reported: findingsFor(a, settings, everywhere).findings,
    findings: a.findings,
    fns: a.index.fns.map((f) => `${f.file}:${f.name}`),
    index: JSON.stringify(a.index),
    skipped: a.skipped,
    fileStats: [...a.fileStats],
    suppressed: JSON.stringify([...a.suppressed].map(([f, m]) => [f, [...m].map(([l, s]) => [l, [...s]])])),
    indirectUnresolved: a.indirectUnresolved,
  };
}

/** A record as plain JSON (Maps and Sets as arrays, the rehydrated `canon` function dropped). */
function plain(rec: FileRecord): string {
  return JSON.stringify(rec, (_k, v: unknown) =>
    v instanceof Map ? { map: [...v] } : v instanceof Set ? { set: [...v] } : v,
  );
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

/** Frame a payload the way cache.ts does (magic "LSC1", length, CRC-32). */
function frame(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(0x4c534331, 0);
  head.writeUInt32LE(payload.byteLength, 4);
  head.writeUInt32LE(zlib.crc32(payload), 8);
  return Buffer.concat([head, payload]);
}

/**
 * A bigger tree where order matters: seed000-5.9 plus ten copies of each of its .c files in their own
 * folders. The copies define the same global functions again (first definition wins, by path order),
 * and there are enough files for several workers to return batches out of order.
 */
function stressTree(t: { after: (fn: () => void) => void }): string {
  const { root } = copyTree(t, 'seed000-5.9');
  const cs = walk(path.join(root, 'fs')).filter((f) => f.endsWith('.c'));
  for (let i = 0; i < 10; i++) {
    for (const f of cs) {
      const to = path.join(
        root,
        'fs',
        `dup${String(i).padStart(2, '0')}`,
        path.relative(path.join(root, 'fs'), f).split(path.sep).join('-'),
      );
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(f, to);
    }
  }
  return root;
}

/** A function that does nothing with locks unless probe_grab/probe_drop are declared as lock primitives. */
const PROBE = `
static int lockscope_probe(struct probe *p)
{
	probe_grab(&p->lock);
	if (p->dead)
		return -EIO;
	probe_drop(&p->lock);
	return 0;
}
`;
const PROBE_LOCKS = parseSettings(
  {
    extraLocks: [
      { name: 'probe_grab', op: 'acquire', kind: 'mutex' },
      { name: 'probe_drop', op: 'release', kind: 'mutex' },
    ],
  },
  'test',
).settings.extraLocks;

describe('index pipeline: the same result with 0, 1 or N workers', () => {
  for (const name of TREE_NAMES) {
    test(`${name}: jobs 0, 1 and 3 give identical findings, index and summaries`, async (t) => {
      const { root } = copyTree(t, name);
      const settings = settingsFor(root);
      const all = treeFiles(root, settings).length;
      assert.ok(all > 0, 'no files indexed');
      const runs: { jobs: number; s: ReturnType<typeof shape>; leftOut: string[] }[] = [];
      for (const jobs of [0, 1, 3]) {
        const r = await build(root, settings, { jobs });
        // what the configuration leaves out (debug-only files without a .config) is not indexed, by any job count
        const n = all - r.leftOut.length;
        assert.deepEqual(
          r.leftOut.map((l) => l.file),
          runs.length ? runs[0].leftOut : r.leftOut.map((l) => l.file),
        );
        assert.equal(r.timings.files, n);
        assert.equal(r.timings.parsed, n, `jobs ${jobs}: every file parsed`);
        assert.equal(r.timings.cacheHits, 0);
        assert.equal(r.timings.warm, false);
        assert.equal(r.timings.workersStarted, jobs === 0 ? 0 : Math.min(jobs, n), `jobs ${jobs}: workers started`);
        assert.equal(r.analysis.index.root, root);
        assert.equal(r.analysis.fileStats.size + r.analysis.skipped.length, n, 'one record per file');
        runs.push({ jobs, s: shape(r.analysis, settings), leftOut: r.leftOut.map((l) => l.file) });
      }
      assert.ok(runs[0].s.fns.length > 0, 'no functions indexed');
      for (const r of runs.slice(1)) {
        assert.deepEqual(r.s.reported, runs[0].s.reported, `findings differ between jobs 0 and jobs ${r.jobs}`);
        assert.deepEqual(r.s.fns, runs[0].s.fns, `index.fns differ between jobs 0 and jobs ${r.jobs}`);
        assert.equal(
          r.s.index,
          runs[0].s.index,
          `index (summaries, slots, callersHold, order) differs between jobs 0 and jobs ${r.jobs}`,
        );
        assert.deepEqual(r.s, runs[0].s);
      }
    });
  }

  test(
    'the findings are not vacuous: ' + 'seed000-5.9 has its recursive inode lock, seed004-4.4 its inversion',
    async (t) => {
      for (const [name, kind] of [
        ['seed000-5.9', 'recursive-lock'],
        ['seed004-4.4', 'lock-order-inversion'],
      ]) {
        const { root } = copyTree(t, name);
        const settings = settingsFor(root);
        const { analysis } = await build(root, settings, { jobs: 2 });
        const kinds = findingsFor(analysis, settings, everywhere).findings.map((f) => f.kind);
        assert.ok(kinds.includes(kind as Finding['kind']), `${name}: no ${kind} in ${kinds.join(', ')}`);
      }
    },
  );

  test(
    'a bigger tree with duplicated definitions: ' + 'jobs 0, 1, 3 and 8 agree, and demand-first order changes nothing',
    async (t) => {
      const root = stressTree(t);
      const settings = settingsFor(root);
      const files = treeFiles(root, settings);
      assert.ok(files.length > 50, `${files.length} files`);
      const ref = await build(root, settings, { jobs: 0 });
      const refShape = shape(ref.analysis, settings);
      assert.ok(refShape.reported.length >= 10, `expected the findings of every copy, got ${refShape.reported.length}`);
      // records are merged in path order: function ids follow the sorted file paths
      const fnFiles = ref.analysis.index.fns.map((f) => f.file);
      assert.deepEqual(fnFiles, [...fnFiles].sort());
      assert.ok(refShape.fns.includes('fs/dup09/btrfs-file.c:btrfs_sync_file'));
      for (const jobs of [1, 3, 8]) {
        const r = await build(root, settings, { jobs });
        assert.equal(r.timings.parsed, files.length);
        assert.deepEqual(shape(r.analysis, settings), refShape, `jobs ${jobs} differs from jobs 0`);
      }
      // the files given in another order (and one twice): the same result
      const shuffled = await buildTree({ root, files: [...files].reverse().concat(files[3]), settings, jobs: 3 });
      assert.equal(shuffled.timings.files, files.length);
      assert.deepEqual(shape(shuffled.analysis, settings), refShape, 'the order of the files given changed the result');
      // open files first (the language server's demand-first queue): the same result, and an early partial analysis
      const isFirst = (rel: string) => rel.startsWith('fs/xfs/') || rel.startsWith('fs/dup07/');
      const firstFiles = files.map((f) => path.relative(root, f).split(path.sep).join('/')).filter(isFirst);
      assert.ok(firstFiles.length >= 2);
      for (const jobs of [0, 3]) {
        const partials: TreeAnalysis[] = [];
        const r = await build(root, settings, { jobs, first: isFirst, onFirst: (a) => partials.push(a) });
        assert.deepEqual(shape(r.analysis, settings), refShape, `jobs ${jobs} with demand-first order differs`);
        assert.equal(partials.length, 1, `jobs ${jobs}: onFirst called ${partials.length} times`);
        assert.deepEqual(
          [...partials[0].fileStats.keys()].sort(),
          firstFiles.sort(),
          'the partial analysis holds the first files only',
        );
        assert.ok(partials[0].index.fns.every((f) => isFirst(f.file)));
      }
    },
  );
});

describe('index pipeline: the worker pool', () => {
  const init = (settings: Settings) => ({ settings, grammar: {}, cacheKey: '' });

  test(
    'a tiny recycleBytes retires workers: more started than jobs, ' + 'records still in seq order, one per item',
    async (t) => {
      const root = stressTree(t);
      const settings = settingsFor(root);
      const files = treeFiles(root, settings).sort();
      const items: PoolItem[] = files.map((abs, seq) => ({
        seq,
        abs,
        rel: path.relative(root, abs).split(path.sep).join('/'),
      }));
      // reference: one worker, never recycled
      const ref: string[] = [];
      const r0 = await extractInWorkers(items, { jobs: 1, init: init(settings) }, (rec) => ref.push(plain(rec)));
      assert.equal(r0.workersStarted, 1);
      assert.equal(r0.parsed, items.length);
      assert.equal(ref.length, items.length);
      for (const batch of [undefined, 1]) {
        const seqs: number[] = [];
        const recs: string[] = [];
        const arrived: number[] = [];
        // the queue in another order than seq (demand-first callers reorder it)
        const queue = [...items].reverse();
        const r = await extractInWorkers(
          queue,
          { jobs: 2, init: init(settings), recycleBytes: 1, batch, onArrive: (_rec, item) => arrived.push(item.seq) },
          (rec, item, hit) => {
            assert.equal(hit, false);
            assert.equal(rec.file, item.rel, 'a record handed on with the wrong item');
            seqs.push(item.seq);
            recs.push(plain(rec));
          },
        );
        assert.ok(
          r.workersStarted > 2,
          `batch ${batch}: recycling started only ${r.workersStarted} workers for 2 jobs`,
        );
        assert.deepEqual(
          seqs,
          items.map((i) => i.seq),
          `batch ${batch}: records not in seq order, or not one per item`,
        );
        assert.equal(r.parsed, items.length);
        assert.equal(r.hits, 0);
        assert.equal(arrived.length, items.length, 'onArrive once per item');
        assert.deepEqual(
          [...arrived].sort((a, b) => a - b),
          items.map((i) => i.seq),
        );
        assert.notDeepEqual(
          arrived,
          items.map((i) => i.seq),
          'the records arrived in seq order: the reordering was not exercised',
        );
        assert.deepEqual(recs, ref, `batch ${batch}: recycled workers extracted something else`);
      }
    },
  );

  test('without recycling the pool starts exactly min(jobs, items) workers; an empty queue starts none', async (t) => {
    const { root } = copyTree(t, 'seed000-5.9');
    const settings = settingsFor(root);
    const items: PoolItem[] = treeFiles(root, settings)
      .sort()
      .map((abs, seq) => ({ seq, abs, rel: path.relative(root, abs).split(path.sep).join('/') }));
    const r = await extractInWorkers(items, { jobs: 3, init: init(settings), batch: 1 }, () => {});
    assert.equal(r.workersStarted, 3);
    const big = await extractInWorkers(items.slice(0, 2), { jobs: 16, init: init(settings) }, () => {});
    assert.equal(big.workersStarted, 2);
    let called = 0;
    const none = await extractInWorkers([], { jobs: 4, init: init(settings) }, () => {
      called++;
    });
    assert.deepEqual(none, { hits: 0, parsed: 0, workersStarted: 0 });
    assert.equal(called, 0);
  });

  test('an unreadable file gets a skipped record in its place; the others are extracted', async (t) => {
    const { root } = copyTree(t, 'seed000-5.9');
    const settings = settingsFor(root);
    const items: PoolItem[] = treeFiles(root, settings)
      .sort()
      .map((abs, seq) => ({ seq, abs, rel: path.relative(root, abs).split(path.sep).join('/') }));
    const gone = items[2];
    fs.rmSync(gone.abs);
    const got: FileRecord[] = [];
    await extractInWorkers(items, { jobs: 2, init: init(settings) }, (rec) => got.push(rec));
    assert.equal(got.length, items.length);
    assert.match(got[2].skipped ?? '', /cannot read/);
    assert.equal(got[2].file, gone.rel);
    assert.ok(
      got.filter((_r, i) => i !== 2).every((r) => !r.skipped),
      'another file was skipped',
    );
  });

  test('a worker that cannot load the grammar rejects the whole extraction', async (t) => {
    const { root } = copyTree(t, 'seed000-5.9');
    const settings = settingsFor(root);
    const items: PoolItem[] = treeFiles(root, settings)
      .sort()
      .map((abs, seq) => ({ seq, abs, rel: path.relative(root, abs).split(path.sep).join('/') }));
    await assert.rejects(
      extractInWorkers(
        items,
        { jobs: 2, init: { settings, grammar: { dir: path.join(root, 'no-grammars-here') }, cacheKey: '' } },
        () => {},
      ),
      /grammar/,
    );
  });
});

describe('index pipeline: the on-disk cache', () => {
  for (const jobs of [0, 2]) {
    test(
      `jobs ${jobs}: cold, warm, one file edited, ` + 'corrupt records, torn snapshots, result-changing settings',
      async (t) => {
        const { root, tmp } = copyTree(t, 'seed000-5.9');
        const cacheDir = path.join(tmp, 'cache');
        const settings = settingsFor(root);
        const n = treeFiles(root, settings).length;
        const ref = await build(root, settings, { jobs });
        const refShape = shape(ref.analysis, settings);
        assert.ok(
          refShape.reported.some((f) => f.kind === 'recursive-lock'),
          'the reference has its recursive-lock',
        );

        // cold
        const cold = await build(root, settings, { jobs, cacheDir });
        assert.equal(cold.timings.warm, false);
        assert.equal(cold.timings.parsed, n);
        assert.equal(cold.timings.cacheHits, 0);
        assert.deepEqual(shape(cold.analysis, settings), refShape, 'cold run with a cache differs from no cache');
        const keys = fs.readdirSync(path.join(cacheDir, 'records'));
        assert.equal(keys.length, 1, `record keys: ${keys.join(', ')}`);
        const key = keys[0];
        const recordsDir = path.join(cacheDir, 'records', key);
        assert.equal(walk(recordsDir).length, n, 'one record entry per file');
        const snapDir = path.join(cacheDir, 'snapshots', key);
        assert.equal(fs.readdirSync(snapDir).length, 1, 'one snapshot');
        assert.deepEqual(
          walk(cacheDir).filter((f) => f.endsWith('.tmp')),
          [],
          'temporary files left behind',
        );

        // warm
        const warm = await build(root, settings, { jobs, cacheDir });
        assert.equal(warm.timings.warm, true);
        assert.equal(warm.timings.parsed, 0);
        assert.equal(warm.timings.cacheHits, n);
        assert.equal(warm.timings.workersStarted, 0);
        assert.equal(warm.analysis.index.root, root);
        assert.deepEqual(shape(warm.analysis, settings), refShape, 'the warm start differs from no cache');

        // one file edited: its record is extracted again, the others come from the cache
        const sync = path.join(root, 'fs', 'sync.c');
        fs.appendFileSync(sync, PROBE);
        const editedRef = shape((await build(root, settings, { jobs })).analysis, settings);
        const edited = await build(root, settings, { jobs, cacheDir });
        assert.equal(edited.timings.warm, false);
        assert.equal(edited.timings.cacheHits, n - 1);
        assert.equal(edited.timings.parsed, 1);
        assert.ok(
          edited.analysis.index.fns.some((f) => f.name === 'lockscope_probe' && f.file === 'fs/sync.c'),
          'the new function is not in the index',
        );
        assert.deepEqual(
          shape(edited.analysis, settings),
          editedRef,
          'cached records + one fresh one differ from no cache',
        );
        assert.deepEqual(editedRef.reported, refShape.reported, 'the probe function is harmless with default settings');
        assert.equal(walk(recordsDir).length, n + 1);

        // a record entry with bytes overwritten in the middle (CRC fails), and no snapshot
        const victimRel = 'fs/btrfs/file.c';
        const victim = path.join(
          recordsDir,
          contentHash(victimRel, fs.readFileSync(path.join(root, victimRel), 'utf8')).slice(0, 2),
          contentHash(victimRel, fs.readFileSync(path.join(root, victimRel), 'utf8')),
        );
        const good = fs.readFileSync(victim);
        const corrupt = Buffer.from(good);
        const mid = corrupt.length >> 1;
        for (let i = mid; i < Math.min(mid + 16, corrupt.length); i++) corrupt[i] ^= 0xff;
        fs.writeFileSync(victim, corrupt);
        fs.rmSync(path.join(cacheDir, 'snapshots'), { recursive: true, force: true });
        const healed = await build(root, settings, { jobs, cacheDir });
        assert.equal(healed.timings.warm, false);
        assert.equal(healed.timings.parsed, 1, 'the corrupt entry was not extracted again');
        assert.equal(healed.timings.cacheHits, n - 1);
        assert.deepEqual(shape(healed.analysis, settings), editedRef, 'a corrupt record changed the result');
        assert.ok(fs.existsSync(victim), 'the corrupt entry was not written again');
        assert.notDeepEqual(fs.readFileSync(victim), corrupt, 'the corrupt entry is still there');
        assert.deepEqual(fs.readFileSync(victim), good, 'the rewritten entry is not the record extracted before');

        // a record entry whose frame checks out but whose payload is not a serialised value
        fs.writeFileSync(victim, frame(Buffer.from('not a v8 value at all')));
        fs.rmSync(path.join(cacheDir, 'snapshots'), { recursive: true, force: true });
        const healed2 = await build(root, settings, { jobs, cacheDir });
        assert.equal(healed2.timings.parsed, 1);
        assert.equal(healed2.timings.cacheHits, n - 1);
        assert.deepEqual(shape(healed2.analysis, settings), editedRef, 'an undeserialisable record changed the result');
        assert.deepEqual(fs.readFileSync(victim), good, 'the undeserialisable entry was not replaced');

        // a truncated snapshot: not warm, but correct (every record from the cache), and the snapshot is rebuilt
        const snaps = fs.readdirSync(snapDir);
        assert.equal(snaps.length, 1);
        const snap = path.join(snapDir, snaps[0]);
        fs.truncateSync(snap, fs.statSync(snap).size >> 1);
        const torn = await build(root, settings, { jobs, cacheDir });
        assert.equal(torn.timings.warm, false, 'a truncated snapshot was used');
        assert.equal(torn.timings.cacheHits, n);
        assert.equal(torn.timings.parsed, 0);
        assert.deepEqual(shape(torn.analysis, settings), editedRef);
        const again = await build(root, settings, { jobs, cacheDir });
        assert.equal(again.timings.warm, true, 'the snapshot was not rebuilt after the truncated one');
        assert.deepEqual(shape(again.analysis, settings), editedRef);

        // a snapshot with a good frame holding something that is not an analysis
        fs.writeFileSync(snap, frame(v8.serialize({ index: { fns: 'no' }, findings: [] })));
        const odd = await build(root, settings, { jobs, cacheDir });
        assert.equal(odd.timings.warm, false, 'a snapshot that is not an analysis was used');
        assert.deepEqual(shape(odd.analysis, settings), editedRef);

        // a severity turned off: the old snapshot is not reused, the kind is gone, the rest is unchanged
        const sevOff = settingsFor(root, { severity: { 'recursive-lock': 'off' } });
        const off = await build(root, sevOff, { jobs, cacheDir });
        assert.equal(off.timings.warm, false, 'a snapshot made with other severities was reused');
        const offRef = shape((await build(root, sevOff, { jobs })).analysis, sevOff);
        assert.deepEqual(shape(off.analysis, sevOff), offRef);
        assert.ok(!offRef.reported.some((f) => f.kind === 'recursive-lock'));
        assert.deepEqual(
          offRef.reported,
          editedRef.reported.filter((f) => f.kind !== 'recursive-lock'),
        );

        // extra lock primitives: the probe function now leaks a lock
        const withLocks = settingsFor(root, { extraLocks: PROBE_LOCKS });
        const locks = await build(root, withLocks, { jobs, cacheDir });
        assert.equal(locks.timings.warm, false, 'a snapshot made without the extra locks was reused');
        assert.equal(locks.timings.cacheHits, 0, 'records extracted without the extra locks were reused');
        const probeFindings = findingsFor(locks.analysis, withLocks, everywhere).findings.filter(
          (f) => f.function === 'lockscope_probe',
        );
        assert.deepEqual(
          probeFindings.map((f) => [f.kind, f.file]),
          [['lock-imbalance', 'fs/sync.c']],
        );
        assert.ok(!editedRef.reported.some((f) => f.function === 'lockscope_probe'));
        assert.deepEqual(
          shape(locks.analysis, withLocks),
          shape((await build(root, withLocks, { jobs })).analysis, withLocks),
        );

        // settings that do not change results (path order, workers) and the original settings reuse the snapshot
        const back = await build(root, settingsFor(root, { pathOrder: 'end-first', 'index.workers': 3 }), {
          jobs,
          cacheDir,
        });
        assert.equal(back.timings.warm, true, 'switching back to the first settings did not reuse their snapshot');
        assert.deepEqual(shape(back.analysis, settings), editedRef);
        assert.equal(fs.readdirSync(path.join(cacheDir, 'snapshots')).length, 3);
        // a fourth key: the oldest is pruned, three stay
        const fourth = await build(root, settingsFor(root, { severity: { 'double-unlock': 'off' } }), {
          jobs,
          cacheDir,
        });
        assert.equal(fourth.timings.warm, false);
        assert.equal(fs.readdirSync(path.join(cacheDir, 'snapshots')).length, 3, 'old snapshot keys are not pruned');
        assert.equal(fs.readdirSync(path.join(cacheDir, 'records')).length, 3, 'old record keys are not pruned');
      },
    );
  }

  test('the cache written by workers is read in-process, and the other way round', async (t) => {
    const { root, tmp } = copyTree(t, 'seed004-4.4');
    const settings = settingsFor(root);
    const n = treeFiles(root, settings).length;
    const ref = shape((await build(root, settings, { jobs: 0 })).analysis, settings);
    const a = path.join(tmp, 'cache-a');
    await build(root, settings, { jobs: 2, cacheDir: a });
    fs.rmSync(path.join(a, 'snapshots'), { recursive: true, force: true });
    const inProcess = await build(root, settings, { jobs: 0, cacheDir: a });
    assert.equal(inProcess.timings.cacheHits, n);
    assert.deepEqual(shape(inProcess.analysis, settings), ref);
    const b = path.join(tmp, 'cache-b');
    await build(root, settings, { jobs: 0, cacheDir: b });
    fs.rmSync(path.join(b, 'snapshots'), { recursive: true, force: true });
    const workers = await build(root, settings, { jobs: 2, cacheDir: b });
    assert.equal(workers.timings.cacheHits, n);
    assert.deepEqual(shape(workers.analysis, settings), ref);
  });
});

describe('index pipeline: a file saved while the tree is being indexed', () => {
  // Step 1 hashes every file's text and the records come from a second read: a file saved in between
  // (an editor saving during indexing) must not leave the new text's analysis under the old text's
  // hashes. `first` is called between the two reads, so it stands in for the editor here.
  for (const jobs of [0, 2]) {
    test(`jobs ${jobs}: the cache never serves the analysis of text that is no longer there`, async (t) => {
      const { root, tmp } = copyTree(t, 'seed000-5.9');
      const cacheDir = path.join(tmp, 'cache');
      const settings = settingsFor(root);
      const sync = path.join(root, 'fs', 'sync.c');
      const original = fs.readFileSync(sync, 'utf8');
      let saved = false;
      const during = await build(root, settings, {
        jobs,
        cacheDir,
        first: () => {
          if (!saved) {
            fs.appendFileSync(sync, PROBE);
            saved = true;
          }
          return false;
        },
      });
      assert.ok(saved);
      assert.ok(
        during.analysis.index.fns.some((f) => f.name === 'lockscope_probe'),
        'the test did not change the file between the two reads',
      );
      fs.writeFileSync(sync, original);
      const ref = shape((await build(root, settings, { jobs })).analysis, settings);
      assert.ok(!ref.fns.includes('fs/sync.c:lockscope_probe'));
      const problems: string[] = [];
      const next = await build(root, settings, { jobs, cacheDir });
      // fails today (jobs 0 and 2): a warm start with the snapshot of the edited text
      if (next.analysis.index.fns.some((f) => f.name === 'lockscope_probe'))
        problems.push(`stale snapshot served (warm: ${next.timings.warm})`);
      fs.rmSync(path.join(cacheDir, 'snapshots'), { recursive: true, force: true });
      const records = await build(root, settings, { jobs, cacheDir });
      // fails today with jobs 0 only: the record of the edited text is under the original text's hash
      if (records.analysis.index.fns.some((f) => f.name === 'lockscope_probe'))
        problems.push('stale record served for fs/sync.c');
      else assert.deepEqual(shape(records.analysis, settings), ref);
      assert.deepEqual(problems, []);
    });
  }
});
