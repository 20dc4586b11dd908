/** `lockscope report`: the call graph below a function, held locks on the edges, finding paths marked. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/engine';

const tree = path.join(repoRoot(), 'test', 'trees', 'seed000-5.9');
const run = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'lockscope.js'), 'report', ...args], { encoding: 'utf8' });

test('markdown: every hop of the seed-000 path is on a finding path, the lock held on the first call', () => {
  const r = run('btrfs_file_write_iter', '--root', tree, '--depth', '8');
  assert.equal(r.status, 0, r.stderr);
  const row = (from: string, to: string) => r.stdout.split('\n').find((l) => l.startsWith(`| \`${from}\` | \`${to}\``));
  assert.match(row('btrfs_file_write_iter', 'btrfs_direct_write') ?? '', /`&inode->i_rwsem` \| yes \|$/);
  for (const [a, b] of [['btrfs_direct_write', '__btrfs_direct_write'], ['iomap_dio_rw', 'iomap_dio_complete'],
    ['iomap_dio_complete', 'generic_write_sync'], ['generic_write_sync', 'vfs_fsync_range'], ['vfs_fsync_range', 'btrfs_sync_file']]) {
    assert.match(row(a, b) ?? '', /\| yes \|$/, `${a} -> ${b}`);
  }
  assert.match(row('vfs_fsync_range', 'btrfs_sync_file') ?? '', /->fsync \(btrfs_file_operations\.fsync\)/);
  assert.match(row('vfs_fsync_range', 'ext4_sync_file') ?? '', /\|  \|$/, 'ext4 is not on the path');
  assert.match(r.stdout, /\[recursive-lock\]/);
});

test('dot and svg', () => {
  const dot = run('btrfs_file_write_iter', '--root', tree, '--depth', '8', '--format', 'dot');
  assert.match(dot.stdout, /^digraph lockscope \{/);
  assert.match(dot.stdout, /color=red/);
  const svg = run('btrfs_file_write_iter', '--root', tree, '--depth', '8', '--format', 'svg');
  assert.equal(svg.status, 0, svg.stderr);
  assert.match(svg.stdout, /<svg /);
  assert.ok((svg.stdout.match(/class="edge"/g) ?? []).length >= 10);
});

test('an unknown function is a usage error', () => {
  const r = run('no_such_function', '--root', tree);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no function no_such_function/);
});
