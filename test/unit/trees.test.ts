/**
 * Whole-tree analysis on small kernel-shaped trees under test/trees/ (each has include/linux/, so
 * the CLI indexes it as a tree): findings must match the inline expectations of every file, the
 * seed-000 reconstruction must show the whole path through the ops table, and a call resolves to the
 * caller file's static function before a global one of the same name (static-shadow).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { diffExpectations, expectationsOf, repoRoot, walkFiles } from '../support/engine';

interface JsonFinding {
  kind: string;
  file: string;
  line: number;
  function: string;
  message: string;
  path: { file: string; line: number; function: string; note: string }[];
}

const trees = path.join(repoRoot(), 'test', 'trees');

function check(tree: string): {
  findings: JsonFinding[];
  stats: { files: number; indexed?: { root: string } };
  status: number | null;
} {
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot(), 'bin', 'lockscope.js'), 'check', '.', '--format', 'json', '--confidence', 'low'],
    { encoding: 'utf8', cwd: tree }, // run inside the tree: file names print relative to where lockscope runs
  );
  assert.ok(r.stdout, `no output; stderr: ${r.stderr}`);
  return { ...JSON.parse(r.stdout), status: r.status };
}

describe('kernel-shaped trees', () => {
  for (const name of fs.readdirSync(trees).sort()) {
    const tree = path.join(trees, name);
    test(`${name}: findings are exactly the inline expectations`, () => {
      const out = check(tree);
      assert.ok(out.stats.indexed, 'the tree root was not detected (include/linux/)');
      const problems: string[] = [];
      for (const file of walkFiles(tree)) {
        const rel = path.relative(tree, file).split(path.sep).join('/');
        problems.push(
          ...diffExpectations(
            rel,
            expectationsOf(fs.readFileSync(file, 'utf8'), path.relative(repoRoot(), file)),
            out.findings.filter((f) => f.file === rel),
          ),
        );
      }
      assert.deepEqual(problems, [], problems.join('\n'));
      assert.equal(out.status, out.findings.length ? 1 : 0);
    });
  }

  test('seed 000 (5.9 shape): the recursive inode lock is shown through every hop and the ops table', () => {
    const out = check(path.join(trees, 'seed000-5.9'));
    const f = out.findings.find((x) => x.kind === 'recursive-lock');
    assert.ok(f, 'no recursive-lock');
    assert.match(f.message, /&inode->i_rwsem \(struct inode::i_rwsem\)/);
    const hops = f.path.map((s) => s.function).filter((fn, i, a) => fn !== a[i - 1]);
    assert.deepEqual(hops, [
      'btrfs_file_write_iter',
      'btrfs_direct_write',
      '__btrfs_direct_write',
      'iomap_dio_rw',
      'iomap_dio_complete',
      'generic_write_sync',
      'vfs_fsync_range',
      'btrfs_sync_file',
    ]);
    assert.ok(
      f.path.some((s) => /->fsync resolves to btrfs_sync_file \(btrfs_file_operations\.fsync\)/.test(s.note)),
      'ops-table hop missing',
    );
    assert.deepEqual(
      [...new Set(f.path.map((s) => s.file))],
      ['fs/btrfs/file.c', 'fs/iomap/direct-io.c', 'include/linux/fs.h', 'fs/sync.c', 'fs/btrfs/file.c'].filter(
        (v, i, a) => a.indexOf(v) === i,
      ),
    );
    const last = f.path[f.path.length - 1];
    assert.equal(last.function, 'btrfs_sync_file');
    assert.match(last.note, /takes &inode->i_rwsem \(inode_lock\)/);
  });
});

describe('static-shadow: a static helper shadows a global of the same name in another file', () => {
  test(
    "a.c's call is its own static shadow_helper (the path stays in a.c); " + "c.c's is the lock-free global in b.c",
    () => {
      const out = check(path.join(trees, 'static-shadow'));
      assert.deepEqual(
        out.findings.map((f) => [f.kind, f.file, f.function]),
        [['recursive-lock', 'fs/shadow/a.c', 'shadow_a_reset']],
      );
      const f = out.findings[0];
      const a = fs.readFileSync(path.join(trees, 'static-shadow', 'fs', 'shadow', 'a.c'), 'utf8').split('\n');
      const staticLock = a.findIndex((l) => l.startsWith('static void shadow_helper(')) + 3; // its mutex_lock, 1-based
      assert.match(a[staticLock - 1], /^\tmutex_lock\(&sd->lock\);$/);
      const last = f.path[f.path.length - 1];
      assert.deepEqual([last.file, last.line, last.function], ['fs/shadow/a.c', staticLock, 'shadow_helper']);
      assert.deepEqual([...new Set(f.path.map((s) => s.file))], ['fs/shadow/a.c']);
    },
  );
});

describe('seed 004 (4.4 shape)', () => {
  test('one lock-order inversion between the page lock and the extent range lock, with both chains', () => {
    const out = check(path.join(trees, 'seed004-4.4'));
    const inv = out.findings.filter((x) => x.kind === 'lock-order-inversion');
    assert.equal(inv.length, 1);
    const f = inv[0];
    assert.match(f.message, /struct extent_io_tree range/);
    assert.match(f.message, /struct page::PG_locked/);
    const fns = f.path.map((s) => s.function);
    for (const hop of [
      'btrfs_buffered_write_page',
      'prepare_pages',
      'btrfs_get_blocks_direct',
      'btrfs_start_ordered_extent',
      'filemap_fdatawrite_range',
      'do_writepages',
      'btrfs_writepages',
      'extent_writepages',
      'extent_write_cache_pages',
    ]) {
      assert.ok(fns.includes(hop) || f.path.some((s) => s.note.includes(`${hop}()`)), `path misses ${hop}`);
    }
    assert.ok(f.path.some((s) => /->writepages resolves to btrfs_writepages \(btrfs_aops\.writepages\)/.test(s.note)));
    // (the range's tree is typed through the BTRFS_I() accessor macro: ranges are classed by their tree)
    const second = 'other path #1 (struct extent_io_tree range (struct btrfs_inode::io_tree) -> struct page::PG_locked';
    assert.ok(
      f.path.some((s) => s.note.startsWith(second)),
      'the second chain is not marked',
    );
  });
});

describe('seed 000 (true shape), built-in forbidden-call rules off', () => {
  test('recursive i_rwsem (extending path) and dio_rwsem (read held, write asked), each ending in the fsync', () => {
    const out = check(path.join(trees, 'seed000-dio-sem'));
    const quill = out.findings.filter((f) => f.file === 'fs/quill/file.c');
    assert.deepEqual(quill.map((f) => f.kind).sort(), ['recursive-lock', 'recursive-lock']);
    assert.ok(!out.findings.some((f) => f.kind === 'forbidden-call'), 'a forbidden-call with the rules off');
    for (const [lock, taken] of [
      [/&inode->i_rwsem/, /takes &inode->i_rwsem \(inode_lock\)/],
      [/&QUILL_I\(inode\)->dio_rwsem/, /takes &QUILL_I\(inode\)->dio_rwsem \(down_write\)/],
    ]) {
      const f = quill.find((x) => lock.test(x.message));
      assert.ok(f, `no recursive-lock on ${lock}`);
      assert.equal(f.function, 'quill_direct_io');
      const last = f.path[f.path.length - 1];
      assert.equal(last.function, 'quill_sync_file');
      assert.match(last.note, taken);
      assert.ok(
        f.path.some((s) => /->fsync resolves to quill_sync_file \(quill_file_operations\.fsync\)/.test(s.note)),
      );
    }
  });
});

describe('seed 003 (a direct write pins user pages under the lock its own fault handler takes)', () => {
  test('fault-under-lock from the lock through the pinning call into ->fault, and the fixed twin is silent', () => {
    const out = check(path.join(trees, 'seed003-fault'));
    const f = out.findings.find((x) => x.kind === 'fault-under-lock' && x.function === 'heron_direct_write');
    assert.ok(f, 'no fault-under-lock in heron_direct_write');
    assert.match(f.message, /gdio_rw\(\) may fault on user memory while .*pagecache_lock .* held exclusively/);
    assert.match(f.message, /enters heron_page_fault\(\) \(heron_file_vm_ops\.fault\), which takes .* shared/);
    const hops = f.path.map((s) => s.function).filter((fn, i, a) => fn !== a[i - 1]);
    assert.deepEqual(hops, [
      'heron_direct_write',
      'gdio_rw',
      'gdio_pin_segment',
      'heron_direct_write',
      'heron_page_fault',
    ]);
    assert.match(f.path[f.path.length - 1].note, /takes &hi->pagecache_lock \(down_read\)/);
    assert.ok(!out.findings.some((x) => x.file === 'fs/egret/file.c'), 'the nofault twin is reported');
  });
});
