/**
 * Readable graphs (issue 15, item 4): fonts Graphviz can measure, call-site lines in the Markdown, trivial leaves
 * folded, debug-only locks hidden unless asked, a held lock said once on the call made under it. The tree
 * test/trees/graph-fold is the fixture: quill_write takes the inode mutex and calls helpers, some trivial, one in
 * debug-only mm/objtrack.c, one taking a lock only under #ifdef CONFIG_DEBUG_QUILL_CHECKS.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../support/engine';
import { DebugOnly } from '../../server/src/report/debugonly';
import { treeReader } from '../../server/src/report/source';

const trees = path.join(repoRoot(), 'test', 'trees');
const quill = path.join(trees, 'graph-fold');
const seed000 = path.join(trees, 'seed000-5.9');
const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-graphs-'));
after(() => fs.rmSync(cache, { recursive: true, force: true }));
const run = (...args: string[]) => {
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot(), 'bin', 'lockscope.js'), 'report', '-q', '--cache-dir', cache, ...args],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};
const lineOf = (file: string, text: string) =>
  fs
    .readFileSync(path.join(quill, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

/** Each node of an SVG: its box's width and the texts in it (Graphviz's SVG: one polygon, then the texts). */
function svgNodes(svg: string): { width: number; texts: { text: string; size: number }[] }[] {
  return svg
    .split(/<g id="node\d+" class="node">/)
    .slice(1)
    .map((chunk) => chunk.split(/<g id="edge/)[0])
    .map((node) => {
      // the box: a polygon, or a path where it is rounded
      const shape = /<(?:polygon [^>]*points|path [^>]*\bd)="([^"]+)"/.exec(node)?.[1] ?? '';
      const pts = [...shape.matchAll(/(-?[\d.]+),-?[\d.]+/g)].map((m) => Number(m[1]));
      const texts = [...node.matchAll(/<text [^>]*font-size="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((t) => ({
        text: t[2].replace(/&#45;/g, '-').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&'),
        size: Number(t[1]),
      }));
      return { width: Math.max(...pts) - Math.min(...pts), texts };
    });
}

describe('graphs', () => {
  test('fonts Graphviz can measure: every label fits its box (a monospace font is 0.6 em a character)', () => {
    for (const svg of [
      run('btrfs_file_write_iter', '--root', seed000, '--depth', '8', '--format', 'svg'),
      run('quill_write', '--root', quill, '--depth', '5', '--format', 'svg', '--all-calls', '--all-locks'),
      run('--lock-order', '--root', path.join(trees, 'seed004-4.4'), '--format', 'svg'),
    ]) {
      assert.doesNotMatch(svg, /font-family="monospace"/);
      const nodes = svgNodes(svg);
      assert.ok(nodes.length >= 2, 'nodes parsed');
      for (const n of nodes)
        for (const t of n.texts)
          assert.ok(
            t.text.length * t.size * 0.6 <= n.width,
            `"${t.text}" (${t.text.length} chars) in a ${n.width} box`,
          );
    }
    const dot = run('quill_write', '--root', quill, '--format', 'dot');
    assert.match(dot, /node \[fontname="Courier"/);
    assert.match(dot, /bgcolor="transparent"/, 'no white box in a dark theme');
  });

  test('Markdown: every call has its file:line', () => {
    const md = run('quill_write', '--root', quill, '--depth', '5');
    const row = (from: string, to: string) =>
      md.split('\n').find((l) => l.startsWith(`| \`${from}\` | \`${to}\``)) ?? '';
    assert.ok(
      row('quill_write', 'quill_copy').includes(
        `| fs/quill/file.c:${lineOf('fs/quill/file.c', 'quill_copy(inode, pos);')} |`,
      ),
    );
    assert.ok(
      row('quill_copy', 'quill_extend').includes(
        `| fs/quill/file.c:${lineOf('fs/quill/file.c', 'quill_extend(inode, pos);')} |`,
      ),
    );
    const seed = run('btrfs_file_write_iter', '--root', seed000, '--depth', '8');
    const fsync = seed.split('\n').find((l) => l.startsWith('| `vfs_fsync_range` | `btrfs_sync_file`')) ?? '';
    const syncLine =
      fs
        .readFileSync(path.join(seed000, 'fs', 'sync.c'), 'utf8')
        .split('\n')
        .findIndex((l) => /->fsync\(/.test(l)) + 1;
    assert.ok(syncLine > 0 && fsync.includes(`| fs/sync.c:${syncLine} |`), fsync);
  });

  test('trivial leaves (tiny, lock-free, calling only trivial code) are folded; --all-calls draws them', () => {
    const dot = run('quill_write', '--root', quill, '--depth', '5', '--format', 'dot');
    const boxes = [...dot.matchAll(/^ {2}n\d+ \[label="([^\\"]+)/gm)].map((m) => m[1]);
    for (const leaf of ['file_inode', 'atomic_inc', 'arch_atomic_inc', 'quill_size', 'objtrack_note'])
      assert.ok(!boxes.includes(leaf), `${leaf} is a box of its own`);
    for (const kept of ['quill_write', 'quill_copy', 'quill_check', 'quill_extend', 'quill_account'])
      assert.ok(boxes.includes(kept), `${kept} was folded`);
    assert.match(dot, /quill_write\\nfs\/quill\/file\.c\\n.*\+ trivial: file_inode\\n\+ debug-only: objtrack_note"/);
    assert.match(dot, /quill_extend\\n.*\+ trivial: quill_size"/);
    const all = run('quill_write', '--root', quill, '--depth', '5', '--format', 'dot', '--all-calls');
    const allBoxes = [...all.matchAll(/^ {2}n\d+ \[label="([^\\"]+)/gm)].map((m) => m[1]);
    for (const leaf of ['file_inode', 'atomic_inc', 'arch_atomic_inc', 'quill_size', 'objtrack_note'])
      assert.ok(allBoxes.includes(leaf), `--all-calls: ${leaf} drawn`);
    // on a finding's path nothing is folded: the seed-000 path is drawn whole
    const seed = run('btrfs_file_write_iter', '--root', seed000, '--depth', '8', '--format', 'dot');
    assert.equal((seed.match(/color=red/g) ?? []).length, 7);
  });

  test('debug-only locks are left out by default and shown with --all-locks', () => {
    const md = run('quill_write', '--root', quill, '--depth', '5');
    const inside = md.slice(md.indexOf('## Locks taken inside'));
    assert.doesNotMatch(inside.split('\n## ')[0], /objtrack_lock|quill_debug_lock/);
    assert.match(md, /Debug-only locks left out \(`--all-locks` shows them\): `&objtrack_lock`, `&quill_debug_lock`\./);
    const all = run('quill_write', '--root', quill, '--depth', '5', '--all-locks', '--all-calls');
    assert.match(all, /- `quill_write`: .*`&objtrack_lock`/);
    assert.match(all, /- `quill_check`: `&quill_debug_lock`/);
    assert.match(all, /- `objtrack_note`: `&objtrack_lock`/);
    assert.doesNotMatch(all, /Debug-only locks left out/);
  });

  test('a held lock is said once: not again below, and once in the box of a caller making many calls under it', () => {
    const dot = run('quill_write', '--root', quill, '--depth', '5', '--format', 'dot', '--all-calls');
    const holding = dot.split('\n').filter((l) => /->.*holds /.test(l));
    // quill_write's three calls under the mutex are said once, in its box, and drawn bold; quill_extend's one
    // call under the inode spinlock is labelled; the calls below quill_copy and quill_account (made under the
    // mutex too) do not say it again
    assert.match(dot, /quill_write\\n[^"]*\\n3 calls \(bold\) under &inode->i_mutex(\\n|")/);
    assert.equal((dot.match(/ -> n\d+ \[label="", style=bold\]/g) ?? []).length, 3, dot);
    assert.deepEqual(
      holding.map((l) => /holds ([^"]+)"/.exec(l)?.[1]),
      ['&inode->i_lock'],
    );
    assert.ok(!dot.includes('holds no lock'));
  });
});

describe('debug-only code, by the build and the preprocessor', () => {
  const d = new DebugOnly(treeReader(quill));
  test('symbols: declared under lib/Kconfig.debug (and what it sources), or depending on one', () => {
    assert.ok(d.symbol('DEBUG_QUILL_CHECKS') && d.symbol('KUNIT') && d.symbol('DEBUG_OBJTRACK'));
    assert.ok(d.symbol('QUILL_KUNIT_TEST', 'fs/quill'), 'depends on KUNIT');
    assert.ok(!d.symbol('QUILL_FS', 'fs/quill'));
  });
  test('files and places', () => {
    assert.ok(d.file('mm/objtrack.c') && d.file('fs/quill/quill-test.c'));
    assert.ok(!d.file('fs/quill/file.c'));
    const f = 'fs/quill/file.c';
    assert.ok(d.place(f, lineOf(f, 'spin_lock(&quill_debug_lock);')));
    assert.ok(!d.place(f, lineOf(f, 'atomic_inc(&inode->i_count);')), 'after the #endif');
    assert.ok(!d.place(f, lineOf(f, 'spin_lock(&inode->i_lock);')));
  });
  test('a debug option named so outside the debug menu; a tree without build files has no debug-only file', () => {
    assert.ok(d.symbol('BTRFS_DEBUG') && d.symbol('DEBUG_LOCK_ALLOC') && !d.symbol('DEBUGFS_FS_X'));
    const none = new DebugOnly(treeReader(seed000));
    assert.ok(!none.file('fs/btrfs/file.c'));
  });
});
