/** `lockscope splat`: a splat mapped onto a test tree, the finding that predicted it, exit codes and JSON. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/engine';

const root = repoRoot();
const tree = (name: string) => path.join(root, 'test', 'trees', name);
const splat = (name: string) => path.join(root, 'test', 'fixtures', 'splats', name);
const run = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(root, 'bin', 'lockscope.js'), 'splat', '--no-cache', '-q', ...args], {
    encoding: 'utf8',
    cwd: root,
  });

interface Out {
  splat: { kind: string };
  locks: { name: string; role: string; classes: string[] }[];
  paths: { stack: string; hops: { function: string; via?: string; frame?: unknown }[]; gaps: unknown[] }[];
  predicted: { kind: string; file: string; line: number; function: string }[];
}
const json = (r: ReturnType<typeof run>): Out => JSON.parse(r.stdout) as Out;

test('seed 000: the recursive-locking splat maps to the static path and the recursive-lock finding', () => {
  const r = run(splat('seed000-recursive.txt'), '--root', tree('seed000-5.9'), '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const o = json(r);
  assert.equal(o.splat.kind, 'recursive');
  // the backtrace from the function that took the lock to the one taking it again, with what it leaves out
  assert.deepEqual(
    o.paths[0].hops.map((h) => h.function),
    [
      'btrfs_file_write_iter',
      'btrfs_direct_write',
      '__btrfs_direct_write',
      'iomap_dio_rw',
      'iomap_dio_complete',
      'generic_write_sync',
      'vfs_fsync_range',
      'btrfs_sync_file',
    ],
  );
  assert.equal(o.paths[0].hops[1].frame, undefined, 'btrfs_direct_write is not in the trace (inlined)');
  assert.match(o.paths[0].hops.at(-1)?.via ?? '', /->fsync \(btrfs_file_operations\.fsync\)/);
  assert.deepEqual(o.paths[0].gaps, []);
  assert.deepEqual(o.locks[0].classes, ['struct inode::i_rwsem', 'struct inode::i_rwsem (fs/btrfs)']);
  assert.deepEqual(
    o.predicted.map((p) => [p.kind, p.file, p.line]),
    [['recursive-lock', 'fs/btrfs/file.c', 55]],
  );
});

test('seed 000 text: compiler-style lines', () => {
  // the splat's lines are printed against its name as given, the tree's files relative to where lockscope runs
  const r = run(path.join('test', 'fixtures', 'splats', 'seed000-recursive.txt'), '--root', tree('seed000-5.9'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^test\/fixtures\/splats\/seed000-recursive\.txt:3: note: lockdep: possible recursive locking detected/m,
  );
  assert.match(
    r.stdout,
    /^test\/trees\/seed000-5\.9\/fs\/btrfs\/file\.c:55:17: warning: predicted: possible recursive locking/m,
  );
  assert.match(
    r.stdout,
    /^test\/trees\/seed000-5\.9\/fs\/btrfs\/file\.c:63:1: note: in btrfs_sync_file: frame of the report .*; through ->fsync/m,
  );
});

test('the fixed twin (5.10): the same splat is predicted by nothing, exit 1', () => {
  const r = run(splat('seed000-recursive.txt'), '--root', tree('seed000-5.10'), '--format', 'json');
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(json(r).predicted, []);
});

test('a circular dependency maps onto the lock-order inversion of the order-perfs tree', () => {
  const r = run(splat('order-circular.txt'), '--root', tree('order-perfs'), '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const o = json(r);
  assert.deepEqual(
    o.locks.slice(0, 2).map((l) => l.classes),
    [['struct inode::i_rwsem/I_MUTEX_PARENT (fs/sorrel)'], ['struct sorrel_sb_info::orphan_lock']],
  );
  assert.deepEqual(
    o.paths.map((p) => p.hops.map((h) => h.function)),
    [['sorrel_entry', 'sorrel_unorphan'], ['sorrel_entry', 'sorrel_orphan_dir'], ['sorrel_orphan_dir']],
  );
  assert.deepEqual(
    o.predicted.map((p) => [p.kind, p.file, p.line]),
    [['lock-order-inversion', 'fs/sorrel/namei.c', 48]],
  );
});

test('with lock order off in the settings (the default), the inversion still predicts the splat, and says so', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-splat-'));
  try {
    fs.cpSync(tree('order-perfs'), dir, { recursive: true });
    fs.rmSync(path.join(dir, '.lockscope.json'));
    const r = run(splat('order-circular.txt'), '--root', dir, '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const p = (JSON.parse(r.stdout) as { predicted: { line: number; reasons: string[] }[] }).predicted[0];
    assert.equal(p.line, 48);
    assert.match(p.reasons.join('\n'), /lock-order-inversion is off in the settings/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a hung task maps onto the extent-range/page-lock inversion lockdep cannot see', () => {
  const r = run(splat('dio-range-hung-task.txt'), '--root', tree('order-dio-range'), '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const o = json(r);
  assert.equal(o.splat.kind, 'hung-task');
  assert.ok(o.paths[0].hops.some((h) => h.function === 'brine_writepages' && /writepages/.test(h.via ?? '')));
  // the call through get_block, a function pointer passed as a parameter, is the finding's path's
  assert.deepEqual(o.paths[0].hops.map((h) => h.function).slice(0, 4), [
    'brine_direct_read',
    'dio_read_blocks',
    'dio_map_next',
    'brine_get_blocks_direct',
  ]);
  assert.match(o.paths[0].hops[3].via ?? '', /get_block\(\) is brine_get_blocks_direct\(\)/);
  assert.deepEqual(o.paths[0].gaps, []);
  assert.deepEqual(o.predicted.map((p) => [p.kind, p.file, p.line]).slice(0, 1), [
    ['lock-order-inversion', 'fs/brine/file.c', 54],
  ]);
});

test('input errors: exit 2 with a message, never a stack trace', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-splat-'));
  try {
    const garbage = path.join(dir, 'garbage.txt');
    fs.writeFileSync(garbage, 'not a kernel log\n\x01\x02 0x1/0x2\n');
    for (const [args, re] of [
      [[garbage, '--root', tree('seed000-5.9')], /no lockdep report or hung-task trace found/],
      [[path.join(dir, 'missing.txt'), '--root', tree('seed000-5.9')], /no such file/],
      [[dir, '--root', tree('seed000-5.9')], /not a regular file/],
      [[], /splat needs a file/],
      [[splat('order-circular.txt'), '--format', 'sarif'], /unknown format "sarif"/],
      [[splat('order-circular.txt'), '--root', dir], /splat needs a kernel tree/],
    ] as const) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
