/** The index's include/exclude globs (settings index.include / index.exclude). */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileFilter, globToRegExp } from '../../server/src/engine';

test('globs: ** crosses folders, * and ? do not', () => {
  assert.ok(globToRegExp('fs/**').test('fs/btrfs/inode.c'));
  assert.ok(globToRegExp('fs/**/*.h').test('fs/btrfs/ctree.h'));
  assert.ok(globToRegExp('fs/**/*.h').test('fs/x.h'));
  assert.ok(!globToRegExp('fs/*.c').test('fs/btrfs/inode.c'));
  assert.ok(globToRegExp('fs/*.c').test('fs/inode.c'));
  assert.ok(globToRegExp('fs/ext?/*.c').test('fs/ext4/inode.c'));
  assert.ok(!globToRegExp('fs/ext?/*.c').test('fs/ext44/inode.c'));
  assert.ok(globToRegExp('fs/a.b/c').test('fs/a.b/c') && !globToRegExp('fs/a.b/c').test('fs/aXb/c'));
});

test('the default index covers fs/, include/, mm/ and block/; excludes win', () => {
  const f = new FileFilter(['fs/**', 'include/**', 'mm/**', 'block/**'], ['fs/*/tests/**']);
  assert.ok(f.accepts('fs/btrfs/inode.c'));
  assert.ok(f.accepts('include/linux/fs.h'));
  assert.ok(!f.accepts('drivers/block/loop.c'));
  assert.ok(!f.accepts('fs/btrfs/tests/extent-map-tests.c'));
  assert.deepEqual(f.roots(), ['fs', 'include', 'mm', 'block']);
  assert.equal(new FileFilter(['**/*.c'], []).roots(), undefined);
});

test('globs: braces and classes select folders (issue 15: these matched nothing with the hand-written matcher)', () => {
  const braces = new FileFilter(['fs/{ext4,btrfs}/**'], []);
  assert.ok(braces.accepts('fs/ext4/inode.c'));
  assert.ok(braces.accepts('fs/btrfs/ctree.h'));
  assert.ok(!braces.accepts('fs/xfs/xfs_inode.c'));
  const range = new FileFilter(['fs/[a-e]*/**'], []);
  assert.ok(range.accepts('fs/btrfs/inode.c'));
  assert.ok(range.accepts('fs/ext4/inode.c'));
  assert.ok(!range.accepts('fs/xfs/xfs_inode.c'));
  assert.ok(!range.accepts('fs/inode.c'), 'the class names a folder, not a file in fs/');
  assert.ok(new FileFilter(['fs/**'], ['fs/{ext2,ext4}/**']).accepts('fs/ext3/x.c'));
  assert.ok(!new FileFilter(['fs/**'], ['fs/{ext2,ext4}/**']).accepts('fs/ext4/x.c'));
  assert.deepEqual(braces.roots(), ['fs']);
});
