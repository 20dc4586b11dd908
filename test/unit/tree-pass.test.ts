/**
 * The whole-tree pass (Project.treeChecks) for a forbidden-call rule: test/trees/fsync-followed, with its
 * write paths and vfs_fsync_range() made members of one recursive cycle larger than the cycles summarised in
 * rounds (as the kernel's large cycle is), so that a write path may be checked before the summaries the rule
 * is followed through exist. The rule must still be decided by what ->fsync resolves to: refuted for wren
 * (its ->fsync never takes the inode lock), the recursive-lock for finch. (The ring calls the write paths
 * with no iterator, which they refuse before taking any lock: the cycle itself takes no inode lock.)
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../support/engine';

const TREE = path.join(repoRoot(), 'test', 'trees', 'fsync-followed');
const RING = 70;

/** A copy of the tree whose vfs_fsync_range() calls into a ring of RING functions that calls the write paths. */
function cyclicCopy(syncName: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-ring-'));
  fs.cpSync(TREE, dir, { recursive: true });
  const sync = path.join(dir, 'fs', 'sync.c');
  const text = fs.readFileSync(sync, 'utf8');
  assert.ok(text.includes('\treturn file->f_op->fsync('));
  const ring: string[] = [
    '#include <linux/fs.h>',
    '',
    'ssize_t wren_file_write_iter(struct kiocb *, struct iov_iter *);',
  ];
  ring.push('ssize_t finch_file_write_iter(struct kiocb *, struct iov_iter *);');
  ring.push(
    'void wren_ctx_use(void *c);',
    '',
    'void wren_ctx_flush(struct wren_ctx *c)',
    '{',
    '\tring_0(c->file);',
    '}',
  );
  for (let i = 0; i < RING; i++) ring.push(`void ring_${i}(struct file *file);`);
  for (let i = 0; i < RING; i++) {
    const next =
      i + 1 < RING
        ? `\t\tring_${i + 1}(file);`
        : [
            'wren_file_write_iter(file->f_private, NULL);',
            'finch_file_write_iter(file->f_private, NULL);',
            'wren_ctx_use(file->f_private);',
            'wren_ctx_bump(file->f_private);',
            'mutex_unlock(file->f_lock);',
          ]
            .map((l) => `\t\t${l}`)
            .join('\n');
    ring.push('', `void ring_${i}(struct file *file)`, '{', `\tif (file->f_count > ${i})`, next, '}');
  }
  fs.writeFileSync(path.join(dir, 'fs', 'ring.c'), ring.join('\n') + '\n');
  fs.writeFileSync(sync, text.replace('\treturn file->f_op->fsync(', '\tring_0(file);\n\treturn file->f_op->fsync('));
  if (syncName !== 'sync.c') fs.renameSync(sync, path.join(dir, 'fs', syncName));
  return dir;
}

describe('the whole-tree pass', () => {
  // the order the cycle's members are summarised in follows where the call graph is entered: from a write path
  // (vfs_fsync_range() is summarised before generic_write_sync()), or from vfs_fsync_range() when its file comes
  // first (then generic_write_sync() is summarised before the vfs_fsync_range() it calls)
  for (const syncName of ['sync.c', '0sync.c'])
    test(`a rule is decided through ->fsync, a helper's lock is held, inside a large cycle (fs/${syncName})`, () => {
      const dir = cyclicCopy(syncName);
      try {
        const r = spawnSync(
          process.execPath,
          [path.join(repoRoot(), 'bin', 'lockscope.js'), 'check', '.', '--format', 'json', '--no-cache'],
          { encoding: 'utf8', cwd: dir },
        );
        const out = JSON.parse(r.stdout) as { findings: { kind: string; file: string; line: number }[] };
        const got = out.findings.map((f) => `${f.file}:${f.line}: ${f.kind}`).sort();
        assert.deepEqual(got, ['fs/finch/file.c:19: recursive-lock']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
});
