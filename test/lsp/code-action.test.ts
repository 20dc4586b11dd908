/** A lockscope diagnostic offers a quick fix that silences it with a comment; with the comment, it is gone. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  type CreateFile,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  type TextDocumentEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { startServer } from '../support/lsp';
import { FOO_FLUSH } from '../support/samples';

const TEXT = FOO_FLUSH;

test('quick fix: ignore the finding on its line', async (t) => {
  const client = await startServer();
  t.after(() => client.dispose());
  const uri = 'file:///tmp/lockscope-action/foo.c';
  await client.open(uri, TEXT);
  const d = await client.waitForDiagnostics(uri, { pred: (p) => p.diagnostics.length > 0 });
  const diag = d.diagnostics[0];
  assert.equal(diag.code, 'lock-imbalance');
  assert.match(diag.codeDescription?.href ?? '', /findings\.md#lock-imbalance$/);
  const actions = await client.conn.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: diag.range,
    context: { diagnostics: [diag] },
  });
  assert.ok(
    (actions ?? []).some(
      (a) => 'command' in a && typeof a.command === 'object' && a.command?.command === 'lockscope.explainFinding',
    ),
    'no Explain Finding action',
  );
  const fix = (actions ?? []).find((a) => 'title' in a && /ignore lock-imbalance/.test(a.title));
  assert.ok(fix && 'edit' in fix && fix.edit, 'no quick fix');
  const edit = (fix.edit as WorkspaceEdit).changes![uri][0];
  assert.equal(edit.range.start.line, 4);
  assert.equal(edit.newText, ' /* lockscope: ignore lock-imbalance */');
  const lines = TEXT.split('\n');
  lines[4] = lines[4] + edit.newText;
  await client.change(uri, 2, lines.join('\n'));
  const after = await client.waitForDiagnostics(uri, { version: 2 });
  assert.equal(after.diagnostics.length, 0);
  assert.equal((await client.shutdown()).code, 0);
});

const NEEDS = `struct foo {
	struct mutex lock;
	int count;
};

static void foo_bump(struct foo *f)
{
	lockdep_assert_held(&f->lock);
	f->count++;
}

static void foo_twice(struct foo *f)
{
	int i;

	for (i = 0; i < 2; i++)
		foo_bump(f);
}

static void foo_spin(struct foo *f)
{
	spin_lock(&f->wait_lock);
	foo_bump(f);
	spin_unlock(&f->wait_lock);
}
`;

test('refactor: state a requirement inferred from a callee, as lockdep_assert_held() or __must_hold()', async (t) => {
  const client = await startServer();
  t.after(() => client.dispose());
  const uri = 'file:///tmp/lockscope-action/needs.c';
  await client.open(uri, NEEDS);
  await client.waitForDiagnostics(uri);
  const lines = NEEDS.split('\n');
  const at = async (needle: string) => {
    const line = lines.findIndex((l) => l.includes(needle));
    const acts = await client.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line, character: 1 }, end: { line, character: 1 } },
      context: { diagnostics: [] },
    });
    return (acts ?? []).filter((a) => 'title' in a && /lockscope: add /.test(a.title)) as {
      title: string;
      edit?: WorkspaceEdit;
    }[];
  };
  const apply = (e: WorkspaceEdit) => {
    const { range, newText } = e.changes![uri][0];
    const copy = [...lines];
    copy[range.start.line] =
      copy[range.start.line].slice(0, range.start.character) +
      newText +
      copy[range.start.line].slice(range.start.character);
    return copy.join('\n');
  };
  // foo_twice needs f->lock only because foo_bump asserts it
  const twice = await at('foo_bump(f);');
  assert.deepEqual(
    twice.map((a) => a.title),
    [
      'lockscope: add lockdep_assert_held(&f->lock) (foo_bump() needs it held)',
      'lockscope: add __must_hold(&f->lock) to foo_twice() (foo_bump() needs it held)',
    ],
  );
  // the assertion goes after the declarations, kernel style
  assert.match(
    apply(twice[0].edit!),
    /static void foo_twice\(struct foo \*f\)\n\{\n\tint i;\n\n\tlockdep_assert_held\(&f->lock\);\n\n\tfor \(i = 0/,
  );
  assert.match(apply(twice[1].edit!), /static void foo_twice\(struct foo \*f\)\n\t__must_hold\(&f->lock\)\n\{\n/);
  // foo_bump states it already; foo_spin's own lock is not what foo_bump needs, so it is offered there too
  assert.deepEqual(await at('f->count++;'), []);
  assert.equal((await at('spin_lock(&f->wait_lock);')).length, 2);
  // with the assertion written, foo_twice has nothing left to offer
  await client.change(uri, 2, apply(twice[0].edit!));
  await client.waitForDiagnostics(uri, { version: 2 });
  const after = await client.conn.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line: 15, character: 1 }, end: { line: 15, character: 1 } },
    context: { diagnostics: [] },
  });
  assert.deepEqual(
    (after ?? []).filter((a) => 'title' in a && /lockscope: add /.test(a.title)),
    [],
  );
  assert.equal((await client.shutdown()).code, 0);
});

test('quick fix: add a finding to the workspace baseline; once the file is saved, the finding is gone', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-baseline-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const client = await startServer({ folders: [dir] });
  t.after(() => client.dispose());
  const file = path.join(dir, 'foo.c');
  fs.writeFileSync(file, TEXT);
  const uri = pathToFileURL(file).toString();
  await client.open(uri, TEXT);
  const d = await client.waitForDiagnostics(uri, { pred: (p) => p.diagnostics.length > 0 });
  const actions = await client.conn.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: d.diagnostics[0].range,
    context: { diagnostics: d.diagnostics },
  });
  const add = (actions ?? []).find((a) => 'title' in a && /add this lock-imbalance to the baseline/.test(a.title)) as
    { edit?: WorkspaceEdit } | undefined;
  assert.ok(add?.edit?.documentChanges, 'no baseline action creating the file');
  const [create, insert] = add.edit.documentChanges as [CreateFile, TextDocumentEdit];
  const baselineUri = pathToFileURL(path.join(dir, '.lockscope-baseline.json')).toString();
  assert.equal(create.kind, 'create');
  assert.equal(create.uri, baselineUri);
  const text = (insert.edits[0] as { newText: string }).newText;
  const saved = JSON.parse(text);
  assert.equal(saved.findings.length, 1);
  assert.equal(saved.findings[0].function, 'foo_flush');
  // the client applies and saves it; the watched-file event makes the server re-read it
  fs.writeFileSync(path.join(dir, '.lockscope-baseline.json'), text);
  await client.conn.sendNotification(DidChangeWatchedFilesNotification.type, {
    changes: [{ uri: baselineUri, type: FileChangeType.Created }],
  });
  await client.waitForDiagnostics(uri, { pred: (p) => p.diagnostics.length === 0 });
  // a new finding's action edits the existing file: both entries, the old one kept
  const more = `${TEXT}\nstatic void bar(struct bar *b)\n{\n\tspin_lock(&b->lock);\n\tspin_lock(&b->lock);\n}\n`;
  await client.change(uri, 2, more);
  const d2 = await client.waitForDiagnostics(uri, { version: 2, pred: (p) => p.diagnostics.length > 0 });
  assert.ok(
    d2.diagnostics.every((x) => x.code !== 'lock-imbalance' || !/foo_flush/.test(JSON.stringify(x.data))),
    'the baselined finding came back',
  );
  const acts2 = await client.conn.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: d2.diagnostics[0].range,
    context: { diagnostics: [d2.diagnostics[0]] },
  });
  const add2 = (acts2 ?? []).find((a) => 'title' in a && /to the baseline/.test(a.title)) as
    { edit?: WorkspaceEdit } | undefined;
  const replaced = add2?.edit?.changes?.[baselineUri]?.[0];
  assert.ok(replaced, 'no edit of the existing baseline');
  assert.deepEqual(replaced.range.start, { line: 0, character: 0 });
  assert.equal(JSON.parse(replaced.newText).findings.length, 2);
  assert.equal((await client.shutdown()).code, 0);
});
