/**
 * Incremental analysis of an open document (server/src/incremental/) must give exactly what a fresh
 * analysis of the same text gives: findings, hover states, summaries. Every fixture is put through a
 * seeded series of edits of the kinds typing makes — a comment line inserted inside a body, a line
 * deleted, a lock call's unlock removed and put back, a new function typed at the end in pieces — and
 * after each edit the session's result is compared with analyzeText on the new text. Also: edits
 * outside a function reuse its result (the reuse is what makes it fast), and the tree-index case
 * (a session against an ExternalIndex) agrees with a fresh analysis too.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentSession, analyseDocument, moveLines, moveSummary, rangedChange } from '../../server/src/incremental';
import { defaultSettings, shareStrings } from '../../server/src/engine';
import { treeFiles } from '../../server/src/tree/files';
import { buildTree } from '../../server/src/tree/build';
import type { Analyzer, FileResult } from '../../server/src/engine';
import type { Summary } from '../../server/src/engine/absint';
import { analyzer, fixtureSettings, repoRoot } from '../support/engine';
import { edit } from '../support/edit';

function fixtures(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.c')) out.push(p);
    }
  };
  walk(path.join(repoRoot(), 'test', 'fixtures'));
  return out.sort();
}

/** What must agree: findings, per-function hover states, and summaries (as callers see them and in full). */
function shape(r: FileResult): unknown {
  return {
    findings: r.findings,
    functions: r.functions,
    stats: r.stats,
    summaries: [...(r.summaries ?? new Map())].sort(([a], [b]) => a.localeCompare(b)),
  };
}

let seed = 7;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

/** Lines inside function bodies (after a `{` at column 0, before the `}`), 0-based. */
function bodyLines(text: string): number[] {
  const out: number[] = [];
  let inside = false;
  text.split('\n').forEach((l, i) => {
    if (l.startsWith('{')) inside = true;
    else if (l.startsWith('}')) inside = false;
    else if (inside && /^\t\S/.test(l)) out.push(i);
  });
  return out;
}

async function run(a: Analyzer, file: string): Promise<{ edits: number; reused: number }> {
  const rel = path.basename(file);
  let doc = TextDocument.create('file:///x.c', 'c', 1, fs.readFileSync(file, 'utf8'));
  const session = new DocumentSession();
  let reused = 0;
  let edits = 0;
  const check = (what: string) => {
    const inc = analyseDocument(a, session, doc.getText(), rel);
    const fresh = a.analyzeText(doc.getText(), rel);
    assert.deepEqual(shape(inc), shape(fresh), `${rel}: after ${what}`);
    reused += session.last.reused;
    edits++;
  };
  check('opening');
  for (let i = 0; i < 12; i++) {
    const lines = bodyLines(doc.getText());
    if (!lines.length) break;
    const at = lines[rand(lines.length)];
    const kind = rand(4);
    if (kind === 0) {
      doc = edit(doc, session, at, at, `\t/* edit ${i} */\n`);
      check(`a comment inserted at line ${at + 1}`);
    } else if (kind === 1) {
      const removed = doc.getText({ start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } });
      doc = edit(doc, session, at, at + 1, '');
      check(`line ${at + 1} deleted`);
      doc = edit(doc, session, at, at, removed);
      check(`line ${at + 1} put back`);
    } else if (kind === 2) {
      // an unlock removed and restored (summaries change, callers in the file must follow)
      const text = doc.getText();
      const unlock = text.split('\n').findIndex((l, n) => n >= at && /^\t+\w*unlock\w*\(/.test(l));
      if (unlock < 0) continue;
      const line = doc.getText({ start: { line: unlock, character: 0 }, end: { line: unlock + 1, character: 0 } });
      doc = edit(doc, session, unlock, unlock + 1, '');
      check(`the unlock at line ${unlock + 1} removed`);
      doc = edit(doc, session, unlock, unlock, line);
      check(`the unlock at line ${unlock + 1} restored`);
    } else {
      // a new function typed at the end, in three steps (half-typed in between)
      const end = doc.lineCount;
      doc = edit(doc, session, end, end, `\nstatic void typed_${i}(struct inode *inode)\n{\n\tinode_lock(inode);\n`);
      check('a half-typed function');
      doc = edit(doc, session, doc.lineCount, doc.lineCount, '\tinode_unlock(inode);\n}\n');
      check('the typed function completed');
    }
  }
  return { edits, reused };
}

describe('incremental analysis of an open document', () => {
  test('after every edit, every fixture analyses exactly as from scratch', async () => {
    let reused = 0;
    let edits = 0;
    for (const f of fixtures()) {
      const a = await analyzer(fixtureSettings(f));
      const r = await run(a, f);
      reused += r.reused;
      edits += r.edits;
    }
    assert.ok(edits > 200, `${edits} edits checked`);
    // the point of it: most functions' results carry over an edit elsewhere
    assert.ok(reused > 0, 'no function result was ever reused');
  });

  test('a primitive the file also defines is a callee: its callers follow an edit of its body', async () => {
    // wait_extent_bit is a catalog wait that is still a call (its summary applies): deleting its spin_lock
    // makes it release the lock, putting the line back makes it balanced again, and its caller must follow
    const f = path.join(repoRoot(), 'test', 'fixtures', 'handoff', 'context-read-and-wait.c');
    const a = await analyzer(fixtureSettings(f));
    let doc = TextDocument.create('file:///x.c', 'c', 1, fs.readFileSync(f, 'utf8'));
    const session = new DocumentSession();
    analyseDocument(a, session, doc.getText(), 'x.c');
    const at = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('spin_lock(&kite_wait_lock)'));
    assert.ok(at > 0, 'the fixture changed: no spin_lock in wait_extent_bit');
    const removed = doc.getText({ start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } });
    for (const [from, to, text] of [
      [at, at + 1, ''],
      [at, at, removed],
    ] as const) {
      doc = edit(doc, session, from, to, text);
      const inc = analyseDocument(a, session, doc.getText(), 'x.c');
      assert.deepEqual(shape(inc), shape(a.analyzeText(doc.getText(), 'x.c')), text ? 'put back' : 'deleted');
    }
  });

  test('a comment inserted in one function reuses the others, moved to their new lines', async () => {
    const a = await analyzer();
    const text = [
      'static void first(struct inode *inode)',
      '{',
      '\tinode_lock(inode);',
      '\tinode_unlock(inode);',
      '}',
      '',
      'static void second(struct inode *inode)',
      '{',
      '\tinode_lock(inode);',
      '\tinode_lock(inode); /* expect: recursive-lock */',
      '\tinode_unlock(inode);',
      '\tinode_unlock(inode);',
      '}',
      '',
    ].join('\n');
    let doc = TextDocument.create('file:///y.c', 'c', 1, text);
    const session = new DocumentSession();
    const before = analyseDocument(a, session, doc.getText(), 'y.c');
    assert.equal(before.findings.length, 1);
    assert.equal(before.findings[0].line, 10);
    doc = edit(doc, session, 2, 2, '\t/* a comment */\n');
    const after = analyseDocument(a, session, doc.getText(), 'y.c');
    assert.equal(session.last.incrementalParse, true);
    assert.deepEqual({ reused: session.last.reused, analysed: session.last.analysed }, { reused: 1, analysed: 1 });
    assert.equal(after.findings.length, 1);
    assert.equal(after.findings[0].line, 11, 'the reused finding moved down one line');
    assert.deepEqual(after, { ...a.analyzeText(doc.getText(), 'y.c') });
  });

  test('a deleted brace that moves a struct into a function body is not answered from the old types', async () => {
    const a = await analyzer();
    const text = [
      'struct tally { int n; };',
      'static int tally_add(struct tally *t, int k)',
      '{',
      '\tif (k < 0) {',
      '\t\tt->n = 0;',
      '\t}',
      '\treturn k;',
      '}',
      '',
      'struct tally_sb { struct rw_semaphore sem; int state; };',
      '',
      'static int tally_state(struct tally_sb *sb)',
      '{',
      '\tdown_read(&sb->sem);',
      '\tif (sb->state)',
      '\t\treturn -EIO;',
      '\tup_read(&sb->sem);',
      '\treturn 0;',
      '}',
      '',
    ].join('\n');
    let doc = TextDocument.create('file:///z.c', 'c', 1, text);
    const session = new DocumentSession();
    const before = analyseDocument(a, session, doc.getText(), 'z.c');
    assert.equal(before.findings[0]?.lock.class, 'struct tally_sb::sem');
    // the closing brace of the if goes: struct tally_sb now sits inside tally_add's body
    doc = edit(doc, session, 5, 6, '');
    const after = analyseDocument(a, session, doc.getText(), 'z.c');
    assert.deepEqual(shape(after), shape(a.analyzeText(doc.getText(), 'z.c')));
  });

  test('text before a function that is not ASCII (UTF-16 units vs query bytes) changes nothing', async () => {
    // an open document queries only the stretches an edit changed, by range: web-tree-sitter counts
    // node positions in UTF-16 units but query ranges in bytes, and a wrong unit loses calls after
    // the first non-ASCII character
    const a = await analyzer();
    const text = [
      '/* Ünïcödé — “quoted” 😀 in a comment, as in MAINTAINERS-style headers */',
      'static void helper(spinlock_t *l)',
      '{',
      '\tspin_lock(l);',
      '\tspin_unlock(l);',
      '}',
      '/* ☃ */',
      'static void caller(spinlock_t *l)',
      '{',
      '\tspin_lock(l);',
      '\thelper(l); /* expect: recursive-lock */',
      '\tspin_unlock(l);',
      '}',
      '',
    ].join('\n');
    let doc = TextDocument.create('file:///u.c', 'c', 1, text);
    const session = new DocumentSession();
    const first = analyseDocument(a, session, doc.getText(), 'u.c');
    assert.deepEqual(first, a.analyzeText(doc.getText(), 'u.c'));
    assert.deepEqual(
      first.findings.map((f) => [f.line, f.kind]),
      [[11, 'recursive-lock']],
    );
    assert.equal(first.stats.lockSitesFound, 4);
    doc = edit(doc, session, 6, 6, '/* ½ */\n');
    const after = analyseDocument(a, session, doc.getText(), 'u.c');
    assert.deepEqual(after, a.analyzeText(doc.getText(), 'u.c'));
    assert.deepEqual(
      after.findings.map((f) => [f.line, f.kind]),
      [[12, 'recursive-lock']],
    );
  });

  test('a whole-text change (no incremental sync) is told as the ranged change it amounts to', async () => {
    // clients without incremental sync send the whole text: the server diffs it into one ranged change
    // cut back to line starts, so the other functions' results carry over exactly as with ranged edits
    for (const [before, after, expected] of [
      ['a\nb\nc\n', 'a\nx\nb\nc\n', { startOffset: 2, endOffset: 2, text: 'x\n' }],
      ['a\nb\nc\n', 'a\nc\n', { startOffset: 2, endOffset: 4, text: '' }],
      ['\tfoo();\n', '\t/* c */\n\tfoo();\n', { startOffset: 0, endOffset: 0, text: '\t/* c */\n' }],
      ['x = 1;\ny = 2;\n', 'x = 1;\ny = 3;\n', { startOffset: 7, endOffset: 14, text: 'y = 3;\n' }],
      ['same\n', 'same\n', { startOffset: 5, endOffset: 5, text: '' }],
      ['', 'new\n', { startOffset: 0, endOffset: 0, text: 'new\n' }],
      ['a\na\na\n', 'a\na\na\na\n', { startOffset: 6, endOffset: 6, text: 'a\n' }],
    ] as const) {
      const r = rangedChange(before, after);
      assert.deepEqual(r, expected, JSON.stringify([before, after]));
      assert.equal(before.slice(0, r.startOffset) + r.text + before.slice(r.endOffset), after);
    }
    const a = await analyzer();
    const text = [
      'static void first(spinlock_t *l)',
      '{',
      '\tspin_lock(l);',
      '\tspin_unlock(l);',
      '}',
      '',
      'static void second(spinlock_t *l)',
      '{',
      '\tspin_lock(l);',
      '\tspin_lock(l); /* expect: recursive-lock */',
      '\tspin_unlock(l);',
      '}',
      '',
    ].join('\n');
    const doc = TextDocument.create('file:///w.c', 'c', 1, text);
    const session = new DocumentSession();
    analyseDocument(a, session, doc.getText(), 'w.c');
    const next = text.replace(
      '\tspin_unlock(l);\n}\n\nstatic void second',
      '\t/* typed with full sync */\n\tspin_unlock(l);\n}\n\nstatic void second',
    );
    assert.notEqual(next, text);
    const { startOffset, endOffset, text: inserted } = rangedChange(doc.getText(), next);
    session.change({
      start: doc.positionAt(startOffset),
      end: doc.positionAt(endOffset),
      startOffset,
      endOffset,
      text: inserted,
    });
    const r = analyseDocument(a, session, next, 'w.c');
    assert.equal(session.last.incrementalParse, true);
    assert.deepEqual(
      { reused: session.last.reused, analysed: session.last.analysed },
      { reused: 1, analysed: 1 },
      'second() moved, not redone',
    );
    assert.deepEqual(
      r.findings.map((f) => f.line),
      [11],
    );
    assert.deepEqual(r, a.analyzeText(next, 'w.c'));
  });

  test('a full-text change starts over', async () => {
    const a = await analyzer();
    const session = new DocumentSession();
    analyseDocument(a, session, 'static void f(spinlock_t *l)\n{\n\tspin_lock(l);\n\tspin_unlock(l);\n}\n', 'z.c');
    session.replaced();
    assert.equal(session.tree, undefined);
    const text = 'static void g(spinlock_t *l)\n{\n\tspin_lock(l);\n\tspin_lock(l);\n\tspin_unlock(l);\n}\n';
    const r = analyseDocument(a, session, text, 'z.c');
    assert.equal(session.last.incrementalParse, false);
    assert.equal(session.last.reused, 0);
    assert.deepEqual(
      r.functions.map((f) => f.name),
      ['g'],
    );
    assert.deepEqual(r, a.analyzeText(text, 'z.c'));
    assert.ok(r.findings.length > 0);
  });

  test('sharing the strings of an index that crossed threads leaves it equal', async () => {
    // the server makes equal strings of a received index one string (shareStrings): nothing may change
    const root = path.join(repoRoot(), 'test', 'trees', 'seed000-5.9');
    const settings = defaultSettings();
    const { analysis } = await buildTree({ root, files: treeFiles(root, settings), settings, jobs: 0 });
    const copy = v8.deserialize(v8.serialize(analysis.index)) as typeof analysis.index;
    shareStrings(copy);
    assert.deepEqual(copy, analysis.index);
    assert.ok(copy.summaries.some((s) => s && s.acquires.length > 0));
  });

  test('moving a summary by its witness paths agrees with moving every line field in it', async () => {
    // the fast path (moveSummary) must not miss a line a summary carries: checked on the test trees'
    // summaries, whose witness paths cross files, against the generic walk
    let compared = 0;
    let moved = 0;
    for (const name of ['seed000-5.9', 'seed004-4.4', 'vfs-entry']) {
      const root = path.join(repoRoot(), 'test', 'trees', name);
      const settings = defaultSettings();
      const { analysis } = await buildTree({ root, files: treeFiles(root, settings), settings, jobs: 0 });
      const { fns, summaries } = analysis.index;
      summaries.forEach((sum, id) => {
        if (!sum) return;
        const file = fns[id].file;
        const lines = [...JSON.stringify(sum).matchAll(/"line":(\d+)/g)].map((m) => Number(m[1]));
        const maps: ((l: number) => number | undefined)[] = [
          (l) => l + 3,
          (l) => (l >= Math.max(...lines, 1) ? l + 1 : l),
          (l) => (l === lines[0] ? undefined : l),
        ];
        for (const map of maps) {
          const generic: Summary | undefined = moveLines<Summary>(sum, file, map);
          const fast = moveSummary(sum, file, map);
          assert.deepEqual(fast, generic, `${name}: ${sum.name}`);
          compared++;
          if (generic && generic !== sum) moved++;
        }
      });
    }
    assert.ok(compared > 50 && moved > 20, `${compared} compared, ${moved} moved`);
  });
});
