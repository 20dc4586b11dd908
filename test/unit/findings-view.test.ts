/**
 * The findings view: its model (findings grouped by file, then kind, steps as children, in a fixed order, with
 * ids that survive a finding moving between lines) and the server's `lockscope/findings` answer for the
 * findings-view tree (every file's findings as the whole-tree index found them, under the filters the
 * diagnostics use: suppression comments, confidence, baselines, a kind turned off, the path order).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Finding, defaultSettings, findingsFor } from '../../server/src/engine';
import { Baseline } from '../../server/src/engine/checks';
import { FindingsFeature } from '../../server/src/lsp/findings';
import { Workspace } from '../../server/src/lsp/workspace';
import type { FindingEntry } from '../../server/src/protocol';
import { buildTree as buildIndex } from '../../server/src/tree/build';
import { treeFiles } from '../../server/src/tree/files';
import {
  buildTree,
  findFinding,
  stepAfter,
  stepColumns,
  stepsFromRelated,
  textOf,
  walk,
} from '../../client/src/findings-model';
import { expectationsOf, repoRoot } from '../support/engine';

function entry(
  file: string,
  kind: string,
  line: number,
  o: Partial<FindingEntry> = {},
  steps: [string, number][] = [],
): FindingEntry {
  const uri = `file:///t/${file}`;
  return {
    kind,
    severity: 'warning',
    confidence: 'high',
    uri,
    file,
    range: { start: { line, character: 1 }, end: { line, character: 5 } },
    function: 'f',
    message: `${kind} at ${line + 1}`,
    steps: steps.map(([f, l], i) => ({
      uri: `file:///t/${f}`,
      file: f,
      line: l,
      character: 0,
      function: `g${i}`,
      note: `step note ${i}`,
    })),
    ...o,
  };
}

describe('findings view model', () => {
  const findings = [
    entry('fs/b.c', 'recursive-lock', 40, {}, [
      ['fs/b.c', 30],
      ['fs/b.c', 40],
      ['fs/a.c', 7],
    ]),
    entry('fs/a.c', 'double-unlock', 9),
    entry('fs/b.c', 'recursive-lock', 12, { function: 'h' }),
    entry('fs/b.c', 'sleep-in-atomic', 3, { severity: 'error' }),
    entry('fs/a.c', 'lock-imbalance', 2),
  ];

  test('files by path, kinds by severity then name, findings by line, steps as sent', () => {
    const roots = buildTree(findings);
    assert.deepEqual(
      roots.map((r) => [r.file, r.count]),
      [
        ['fs/a.c', 2],
        ['fs/b.c', 3],
      ],
    );
    assert.deepEqual(
      roots[0].children.map((k) => k.kind),
      ['double-unlock', 'lock-imbalance'],
    );
    // the error kind first, though its name sorts after
    assert.deepEqual(
      roots[1].children.map((k) => [k.kind, k.severity]),
      [
        ['sleep-in-atomic', 'error'],
        ['recursive-lock', 'warning'],
      ],
    );
    const rec = roots[1].children[1];
    assert.deepEqual(
      rec.children.map((f) => f.finding.range.start.line),
      [12, 40],
    );
    const steps = rec.children[1].children;
    assert.deepEqual(
      steps.map((s) => [s.index, s.step.file, s.step.line]),
      [
        [0, 'fs/b.c', 30],
        [1, 'fs/b.c', 40],
        [2, 'fs/a.c', 7],
      ],
    );
    assert.equal(rec.children[0].children.length, 0);
    // parents lead back to the roots (the view reveals a step through them)
    assert.equal(steps[2].parent.parent.parent, roots[1]);
    // every node once, ids unique
    const ids = [...walk(roots)].map((n) => n.id);
    assert.equal(ids.length, 2 + 4 + 5 + 3);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('labels: counts on files and kinds, the message on a finding, number, function and note on a step', () => {
    const roots = buildTree(findings);
    assert.deepEqual(textOf(roots[1]).label, 'fs/b.c');
    assert.equal(textOf(roots[1]).description, '3');
    assert.equal(textOf(roots[1].children[1]).description, '2');
    const f = roots[1].children[1].children[1];
    assert.equal(textOf(f).label, 'recursive-lock at 41');
    assert.equal(textOf(f).description, 'f() · line 41');
    const t = textOf(f.children[2]);
    assert.equal(t.label, '3. g2: step note 2');
    assert.equal(t.description, 'fs/a.c:8');
  });

  test('a finding keeps its id when an edit moves it; the place finds it', () => {
    const before = buildTree(findings);
    const moved = findings.map((f) =>
      f.file === 'fs/b.c' && f.range.start.line === 40
        ? { ...f, range: { start: { line: 44, character: 1 }, end: { line: 44, character: 5 } }, message: 'x at 45' }
        : f,
    );
    const after = buildTree(moved);
    const id = (roots: ReturnType<typeof buildTree>, line: number) =>
      findFinding(roots, 'file:///t/fs/b.c', 'recursive-lock', line)?.id;
    assert.ok(id(before, 40));
    assert.equal(id(after, 44), id(before, 40)?.replace('recursive-lock at #', 'x at #'));
    assert.equal(findFinding(after, 'file:///t/fs/b.c', 'recursive-lock', 40), undefined);
    const same = buildTree(moved.map((f) => ({ ...f, message: f.message.replace(/\d+/, '99') })));
    assert.equal(id(same, 44), id(after, 44), 'numbers in the message do not change the id');
  });

  test('the highlighted columns of a step: a call with its arguments, a word, or the rest of the line', () => {
    const line = '\t\tret = quill_flush(qi, f(a)); /* x */';
    const at = line.indexOf('quill_flush');
    assert.equal(line.slice(...stepColumns(line, at)), 'quill_flush(qi, f(a))');
    assert.equal(line.slice(...stepColumns(line, line.indexOf('ret'))), 'ret');
    const ret = '\treturn -EINVAL;  ';
    assert.equal(ret.slice(...stepColumns(ret, 1)), 'return');
    assert.equal('  }  '.slice(...stepColumns('  }  ', 2)), '}');
    assert.deepEqual(stepColumns('x', 40), [1, 1]);
    // an unclosed call on a line of its own: the name alone
    assert.equal('foo(a,'.slice(...stepColumns('foo(a,', 0)), 'foo');
  });

  test('walking: the first step from the start, none past either end', () => {
    assert.equal(stepAfter(undefined, 3, 1), 0);
    assert.equal(stepAfter(undefined, 3, -1), 2);
    assert.equal(stepAfter(0, 3, 1), 1);
    assert.equal(stepAfter(2, 3, 1), undefined);
    assert.equal(stepAfter(0, 3, -1), undefined);
    assert.equal(stepAfter(undefined, 0, 1), undefined);
  });

  test("a diagnostic's related information read back as steps", () => {
    const steps = stepsFromRelated([
      { uri: 'u', file: 'a.c', line: 3, character: 1, message: '2. quill_write: takes &qi->io_mutex (mutex_lock)' },
      { uri: 'u', file: 'a.c', line: 4, character: 1, message: 'not numbered' },
    ]);
    assert.deepEqual(
      steps.map((s) => [s.function, s.note]),
      [
        ['quill_write', 'takes &qi->io_mutex (mutex_lock)'],
        ['', 'not numbered'],
      ],
    );
  });
});

describe('lockscope/findings on the findings-view tree', async () => {
  const root = path.join(repoRoot(), 'test', 'trees', 'findings-view');
  const settings = defaultSettings();
  const { analysis } = await buildIndex({ root, files: treeFiles(root, settings), settings, jobs: 0 });
  const indexed = findingsFor(analysis, settings, () => true).findings;
  const workspace = new Workspace([root]);
  workspace.indexRoot = root;
  const noDocuments = { all: () => [], analyse: () => undefined };
  const serve = (over: Partial<typeof settings> = {}, baselines: Baseline[] = [], findings: Finding[] = indexed) =>
    new FindingsFeature(
      noDocuments,
      { findings, status: { state: 'ready' } },
      { settings: { ...settings, ...over }, baselines },
      workspace,
    );

  test("every file's findings, exactly the inline expectations, in file and line order", () => {
    const r = serve().findings({});
    const want: string[] = [];
    for (const rel of ['fs/quill/file.c', 'fs/quill/flush.c', 'fs/quill/super.c'])
      for (const e of expectationsOf(fs.readFileSync(path.join(root, rel), 'utf8'), rel))
        want.push(`${rel}:${e.line}:${e.kind}`);
    assert.deepEqual(
      r.findings.map((f) => `${f.file}:${f.range.start.line + 1}:${f.kind}`),
      want,
    );
    assert.equal(r.total, 4);
    assert.equal(r.state, 'ready');
    // the suppressed allocation in super.c is not among them
    assert.ok(!r.findings.some((f) => f.function === 'quill_grow_cache_reviewed'));
  });

  test('a cross-file path: each step names its file, URI, function and note (0-based positions)', () => {
    const rec = serve()
      .findings({})
      .findings.find((f) => f.kind === 'recursive-lock')!;
    assert.equal(rec.uri, pathToFileURL(path.join(root, 'fs/quill/file.c')).toString());
    assert.match(rec.message, /possible recursive locking: &qi->io_mutex/);
    assert.deepEqual(
      rec.steps.map((s) => `${s.file}:${s.line + 1}:${s.character + 1} ${s.function}`),
      ['fs/quill/file.c:18:2 quill_write', 'fs/quill/file.c:21:9 quill_write', 'fs/quill/flush.c:13:2 quill_flush'],
    );
    assert.equal(rec.steps[2].uri, pathToFileURL(path.join(root, 'fs/quill/flush.c')).toString());
    assert.match(rec.steps[2].note, /taken again/);
    const reversed = serve({ pathOrder: 'end-first' })
      .findings({})
      .findings.find((f) => f.kind === 'recursive-lock')!;
    assert.deepEqual(
      reversed.steps.map((s) => s.function),
      ['quill_flush', 'quill_write', 'quill_write'],
    );
  });

  test('the filters of the diagnostics: a kind turned off, another severity, a baseline, a limit', () => {
    const off = serve({ severity: { ...settings.severity, 'double-unlock': 'off', 'lock-imbalance': 'error' } });
    const r = off.findings({});
    assert.ok(!r.findings.some((f) => f.kind === 'double-unlock'));
    assert.equal(r.findings.find((f) => f.kind === 'lock-imbalance')?.severity, 'error');
    const sleep = indexed.find((f) => f.kind === 'sleep-in-atomic')!;
    const baseline = Baseline.parse(Baseline.format([Baseline.entryOf(sleep)]), 'b.json');
    const listed = serve({}, [baseline]).findings({});
    assert.deepEqual(
      listed.findings.map((f) => f.kind),
      ['recursive-lock', 'lock-imbalance', 'double-unlock'],
    );
    const cut = serve().findings({ limit: 2 });
    assert.equal(cut.findings.length, 2);
    assert.equal(cut.total, 4);
    const medium = indexed.map((f) => (f.kind === 'double-unlock' ? { ...f, confidence: 'medium' as const } : f));
    assert.equal(serve({}, [], medium).findings({}).total, 3, 'high confidence by default');
    assert.equal(serve({ confidence: 'medium' }, [], medium).findings({}).total, 4);
  });

  test('before the index is ready only open documents count; an open document replaces its file', () => {
    const idle = new FindingsFeature(
      noDocuments,
      { findings: indexed, status: { state: 'indexing' } },
      { settings, baselines: [] },
      workspace,
    );
    assert.equal(idle.findings({}).total, 0);
    // flush.c is open and edited: its document's findings (none) stand for the file's
    const uri = pathToFileURL(path.join(root, 'fs/quill/flush.c')).toString();
    const open = new FindingsFeature(
      { all: () => [{ uri } as never], analyse: () => ({ findings: [] }) as never },
      { findings: indexed, status: { state: 'ready' } },
      { settings, baselines: [] },
      workspace,
    );
    assert.deepEqual(
      open.findings({}).findings.map((f) => f.kind),
      ['recursive-lock', 'sleep-in-atomic', 'double-unlock'],
    );
  });
});
