/**
 * Incremental analysis of an open document against a tree index: paths through other files follow the edited
 * file's edits, a change in one file redoes only its callers elsewhere (as the whole file would give), and a
 * change to a function installed in an ops table redoes the open file's calls through that field.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentSession, ExternalIndex, analyseDocument } from '../../server/src/incremental';
import { type FileResult, defaultSettings } from '../../server/src/engine';
import { treeFiles } from '../../server/src/tree/files';
import { buildTree } from '../../server/src/tree/build';
import { analyzer } from '../support/engine';
import { edit } from '../support/edit';

/** A small kernel-shaped tree (paths under fs/demo/), indexed as the server indexes one, removed afterwards. */
async function withTree(files: Record<string, string>, body: (ext: ExternalIndex) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-tree-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const settings = defaultSettings();
    const { analysis } = await buildTree({ root: dir, files: treeFiles(dir, settings), settings, jobs: 0 });
    await body(new ExternalIndex(analysis.index));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('incremental analysis against a tree index', () => {
  test(
    'against a tree index, ' + 'paths that come back into the edited file through another file follow its edits',
    async () => {
      // b.c's summary of b_mid() goes into a.c (a_leaf takes the lock), at the lines a.c had when the
      // tree was indexed; after lines are inserted above a_leaf, a path through b_mid must show where
      // a_leaf is now, in the incremental result and in a fresh one alike
      const aText = [
        'struct foo { spinlock_t lock; };',
        'void b_mid(struct foo *f);',
        '',
        'void a_leaf(struct foo *f)',
        '{',
        '\tspin_lock(&f->lock);',
        '\tspin_unlock(&f->lock);',
        '}',
        '',
        'void a_top(struct foo *f)',
        '{',
        '\tspin_lock(&f->lock);',
        '\tb_mid(f); /* expect: recursive-lock */',
        '\tspin_unlock(&f->lock);',
        '}',
        '',
      ].join('\n');
      await withTree(
        {
          'fs/demo/a.c': aText,
          'fs/demo/b.c': 'struct foo;\nvoid a_leaf(struct foo *f);\n\nvoid b_mid(struct foo *f)\n{\n\ta_leaf(f);\n}\n',
        },
        async (ext) => {
          const a = await analyzer();
          let doc = TextDocument.create('file:///a.c', 'c', 1, aText);
          const session = new DocumentSession();
          const leafStep = (r: FileResult) =>
            r.findings.find((f) => f.kind === 'recursive-lock')?.path.find((st) => st.function === 'a_leaf');
          const first = analyseDocument(a, session, doc.getText(), 'fs/demo/a.c', ext);
          ext.update('fs/demo/a.c', first.summaries!);
          assert.equal(leafStep(first)?.line, 6);
          for (let k = 1; k <= 3; k++) {
            doc = edit(doc, session, 2, 2, `/* line ${k} inserted above a_leaf */\n`);
            const r = analyseDocument(a, session, doc.getText(), 'fs/demo/a.c', ext);
            ext.update('fs/demo/a.c', r.summaries!);
            assert.equal(leafStep(r)?.line, 6 + k, `after ${k} inserted line(s): ${JSON.stringify(leafStep(r))}`);
            assert.deepEqual(r, a.analyzeText(doc.getText(), 'fs/demo/a.c', ext));
          }
        },
      );
    },
  );

  test(
    'after a change in one file, ' + 're-summarising only its callers elsewhere gives what the whole file gives',
    async () => {
      // what the server does after an edit changes what a function does to locks: in each other file, only
      // the functions calling it (and their callers there) are analysed again, against the updated index
      const leaf = (body: string) =>
        `struct foo { spinlock_t lock; struct mutex m; };\n\nvoid a_leaf(struct foo *f)\n{\n${body}}\n`;
      const bText = [
        'struct foo;',
        'void a_leaf(struct foo *f);',
        '',
        'void b_mid(struct foo *f)',
        '{',
        '\ta_leaf(f);',
        '}',
        '',
        'static void b_top(struct foo *f)',
        '{',
        '\tb_mid(f);',
        '}',
        '',
        'void b_other(struct foo *f)',
        '{',
        '\tmutex_lock(&f->m);',
        '\tmutex_unlock(&f->m);',
        '}',
        '',
      ].join('\n');
      await withTree(
        { 'fs/demo/a.c': leaf('\tspin_lock(&f->lock);\n\tspin_unlock(&f->lock);\n'), 'fs/demo/b.c': bText },
        async (ext) => {
          const a = await analyzer();
          // a_leaf now also takes the mutex: b_mid's callers must learn it
          const edited = a.analyzeText(
            leaf('\tmutex_lock(&f->m);\n\tspin_lock(&f->lock);\n\tspin_unlock(&f->lock);\n\tmutex_unlock(&f->m);\n'),
            'fs/demo/a.c',
            ext,
          );
          const { stale, changed } = ext.update('fs/demo/a.c', edited.summaries!);
          assert.deepEqual(changed, ['a_leaf']);
          assert.deepEqual(
            [...stale].map(([f, names]) => [f, [...names]]),
            [['fs/demo/b.c', ['b_mid']]],
          );
          const only = a.analyzeText(bText, 'fs/demo/b.c', ext, stale.get('fs/demo/b.c'));
          const whole = a.analyzeText(bText, 'fs/demo/b.c', ext);
          assert.deepEqual(
            [...only.summaries!.keys()].sort(),
            ['b_mid', 'b_top'],
            'b_mid and its caller in b.c, not b_other',
          );
          for (const n of ['b_mid', 'b_top']) assert.deepEqual(only.summaries!.get(n), whole.summaries!.get(n), n);
          assert.ok(
            only.summaries!.get('b_top')!.acquires.some((q) => q.template === '{0}->m'),
            'the mutex reached b_top',
          );
          // and the next update passes it on: b_top's behaviour changed too, b_mid's callers are all in b.c
          const next = ext.update('fs/demo/b.c', only.summaries!);
          assert.deepEqual(next.changed.sort(), ['b_mid', 'b_top']);
          assert.equal(next.stale.size, 0);
          assert.deepEqual([...ext.changesSince('fs/demo/c.c', 0).names].sort(), ['a_leaf', 'b_mid', 'b_top']);
          assert.deepEqual([...ext.changesSince('fs/demo/b.c', 1).names], []);
        },
      );
    },
  );

  test(
    'a change to a function installed in an ops table redoes ' +
      "the open file's functions that call through that field",
    async () => {
      // a_sync() calls ->fsync, which resolves to b.c's b_fsync (b_fops.fsync); when b_fsync starts taking
      // the inode lock, a_sync's result (it holds that lock) must change, and nothing else need be redone
      const aText = [
        'struct file; struct inode;',
        'struct file_operations { int (*fsync)(struct file *, int); };',
        'struct file { const struct file_operations *f_op; struct inode *f_inode; };',
        '',
        'int a_sync(struct file *file)',
        '{',
        '\tint ret;',
        '',
        '\tinode_lock(file->f_inode);',
        '\tret = file->f_op->fsync(file, 0);',
        '\tinode_unlock(file->f_inode);',
        '\treturn ret;',
        '}',
        '',
        'void a_other(struct inode *inode)',
        '{',
        '\tinode_lock(inode);',
        '\tinode_unlock(inode);',
        '}',
        '',
      ].join('\n');
      const bText = (body: string) =>
        [
          'struct file; struct inode;',
          'struct file_operations { int (*fsync)(struct file *, int); };',
          'struct file { const struct file_operations *f_op; struct inode *f_inode; };',
          '',
          'static int b_fsync(struct file *file, int datasync)',
          '{',
          body,
          '\treturn 0;',
          '}',
          '',
          'const struct file_operations b_fops = {',
          '\t.fsync\t\t= b_fsync,',
          '};',
          '',
        ].join('\n');
      await withTree({ 'fs/demo/a.c': aText, 'fs/demo/b.c': bText('\tif (datasync)\n\t\treturn 1;') }, async (ext) => {
        const a = await analyzer();
        const doc = TextDocument.create('file:///a.c', 'c', 1, aText);
        const session = new DocumentSession();
        const first = analyseDocument(a, session, doc.getText(), 'fs/demo/a.c', ext);
        ext.update('fs/demo/a.c', first.summaries!);
        assert.deepEqual(
          first.findings.map((f) => f.kind),
          [],
        );
        // b_fsync now takes the inode lock (an edit in b.c, re-summarised)
        const b = a.analyzeText(
          bText('\tinode_lock(file->f_inode);\n\tinode_unlock(file->f_inode);'),
          'fs/demo/b.c',
          ext,
        );
        assert.deepEqual(ext.update('fs/demo/b.c', b.summaries!).changed, ['b_fsync']);
        const again = analyseDocument(a, session, doc.getText(), 'fs/demo/a.c', ext);
        assert.deepEqual(
          again.findings.map((f) => [f.kind, f.function]),
          [['recursive-lock', 'a_sync']],
        );
        assert.deepEqual(
          { reused: session.last.reused, analysed: session.last.analysed },
          { reused: 1, analysed: 1 },
          'a_other is reused',
        );
        assert.deepEqual(again, a.analyzeText(doc.getText(), 'fs/demo/a.c', ext));
      });
    },
  );
});
