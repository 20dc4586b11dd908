/** `lockscope report`: the call graph below a function, held locks on the edges, finding paths marked. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../support/engine';
import { mdCode, mdText } from '../../server/src/report/markdown';

const tree = path.join(repoRoot(), 'test', 'trees', 'seed000-5.9');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'lockscope.js'), 'report', ...args], { encoding: 'utf8' });

test('markdown: every hop of the seed-000 path is on a finding path, the lock held on the first call', () => {
  const r = run('btrfs_file_write_iter', '--root', tree, '--depth', '8');
  assert.equal(r.status, 0, r.stderr);
  const row = (from: string, to: string) => r.stdout.split('\n').find((l) => l.startsWith(`| \`${from}\` | \`${to}\``));
  assert.match(row('btrfs_file_write_iter', 'btrfs_direct_write') ?? '', /`&inode->i_rwsem` \| yes \|$/);
  for (const [a, b] of [
    ['btrfs_direct_write', '__btrfs_direct_write'],
    ['iomap_dio_rw', 'iomap_dio_complete'],
    ['iomap_dio_complete', 'generic_write_sync'],
    ['generic_write_sync', 'vfs_fsync_range'],
    ['vfs_fsync_range', 'btrfs_sync_file'],
  ]) {
    assert.match(row(a, b) ?? '', /\| yes \|$/, `${a} -> ${b}`);
  }
  assert.match(row('vfs_fsync_range', 'btrfs_sync_file') ?? '', /->fsync \(btrfs_file_operations\.fsync\)/);
  // the write began in btrfs_file_operations: ->fsync below it is btrfs's, as the analysis resolves it
  assert.equal(row('vfs_fsync_range', 'ext4_sync_file'), undefined, 'ext4 is drawn below a btrfs write');
  assert.match(r.stdout, /\[recursive-lock\]/);
});

test('dot and svg', () => {
  const dot = run('btrfs_file_write_iter', '--root', tree, '--depth', '8', '--format', 'dot');
  assert.match(dot.stdout, /^digraph lockscope \{/);
  assert.match(dot.stdout, /color=red/);
  const svg = run('btrfs_file_write_iter', '--root', tree, '--depth', '8', '--format', 'svg');
  assert.equal(svg.status, 0, svg.stderr);
  assert.match(svg.stdout, /<svg /);
  // the seven calls of the finding's path (the two calls of the trivial file_inode are folded into their callers)
  assert.ok((svg.stdout.match(/class="edge"/g) ?? []).length >= 7);
});

test('an unknown function is a usage error', () => {
  const r = run('no_such_function', '--root', tree);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no function no_such_function/);
});

test('lock-order graph: the seed-004 ABBA is one cycle in lockdep words, both edges red, each with its chain', () => {
  const seed004 = path.join(repoRoot(), 'test', 'trees', 'seed004-4.4');
  const md = run('--lock-order', '--root', seed004);
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^2 lock classes, 2 order edges, 1 cycle\.$/m);
  const page = 'struct page::PG_locked \\(file data, fs\\/btrfs\\)';
  // (the range's tree is typed through the BTRFS_I() accessor macro)
  const range = 'struct extent_io_tree range \\(struct btrfs_inode::io_tree\\)';
  assert.match(md.stdout, new RegExp(`^### 1\\. \`${page}\` → \`${range}\` → \`${page}\`$`, 'm'));
  assert.match(md.stdout, /^WARNING: possible circular locking dependency detected$/m);
  assert.match(md.stdout, /^btrfs_buffered_write_page\(\) is trying to acquire lock:$/m);
  assert.match(md.stdout, new RegExp(`^-> #1 \\(${page}\\):$`, 'm'));
  assert.match(
    md.stdout,
    /^ {7}fs\/btrfs\/inode\.c:\d+ btrfs_get_blocks_direct\(\): takes &BTRFS_I\(inode\)->io_tree/m,
  );
  assert.match(md.stdout, /^ Possible unsafe locking scenario:$/m);
  const row = (held: string, taken: string, where: string) =>
    new RegExp(`^\\| \`${held}\` \\| \`${taken}\` \\| \`${where}\\(\\)\` fs\\/btrfs\\/\\w+\\.c:\\d+ \\| yes \\|$`, 'm');
  assert.match(md.stdout, row(range, page, 'btrfs_get_blocks_direct'));
  assert.match(md.stdout, row(page, range, 'btrfs_buffered_write_page'));
  // the witness of the first edge goes through the ops table down to lock_page
  assert.match(md.stdout, /->writepages resolves to btrfs_writepages/);
  const dot = run('--lock-order', '--root', seed004, '--format', 'dot');
  assert.equal((dot.stdout.match(/ -> .*color=red/g) ?? []).length, 2);
  const svg = run('--lock-order', '--root', seed004, '--format', 'svg');
  assert.equal((svg.stdout.match(/class="edge"/g) ?? []).length, 2);
});

test('lock-order graph: no cycle in the seed-000 tree; --cycles leaves its one edge out and says so', () => {
  const all = run('--lock-order', '--root', tree);
  assert.match(all.stdout, /order edge, 0 cycles\./);
  assert.match(all.stdout, /struct inode::i_rwsem \(fs\/xfs\)` \| `struct xfs_inode::i_lock \(fs\/xfs\)`/);
  const cycles = run('--lock-order', '--cycles', '--root', tree);
  assert.match(cycles.stdout, /^0 lock classes, 0 order edges, 0 cycles \(1 more edge left out/m);
  assert.equal(run('--lock-order', 'btrfs_file_write_iter', '--root', tree).status, 2);
  assert.equal(run('--cycles', 'btrfs_file_write_iter', '--root', tree).status, 2);
});

describe('Markdown from hostile names', () => {
  test('HTML in a path is text, and a | in a path or a lock does not split a table cell', () => {
    assert.equal(mdText('fs/<img src=x onerror=alert(1)>.c'), 'fs/&lt;img src=x onerror=alert(1)>.c');
    assert.equal(mdText('&amp; &inode->i_rwsem'), '&amp;amp; &inode->i_rwsem');
    assert.equal(mdText('a|b'), 'a\\|b');
    assert.equal(mdCode('x|y'), '`x\\|y`');
    assert.equal(mdCode('a`b'), '``a`b``');
    const row = `| ${mdCode('l|k')} | ${mdText('f|g.c')} |`;
    assert.equal(row.split(/(?<!\\)\|/).length, 4, row);
  });
});

test('documented orders: the docorder-against tree contradicts three, the docorder-along tree confirms them', () => {
  const trees = path.join(repoRoot(), 'test', 'trees');
  const against = run('--documented-orders', '--root', path.join(trees, 'docorder-against'));
  assert.equal(against.status, 0, against.stderr);
  assert.match(against.stdout, /^\d+ documented pairs: \d+ confirmed, 3 contradicted, 0 seen both ways/m);
  assert.match(against.stdout, /contradicted by 1 edge, e\.g\. fs\/quill\/file\.c:\d+ quill_refresh_size\(\)/);
  const along = run('--documented-orders', '--root', path.join(trees, 'docorder-along'));
  assert.match(along.stdout, /^\d+ documented pairs: 3 confirmed, 0 contradicted, 0 seen both ways/m);
  assert.equal(run('--documented-orders', '--lock-order', '--root', tree).status, 2);
  assert.equal(run('--documented-orders', '--format', 'dot', '--root', tree).status, 2);
});
