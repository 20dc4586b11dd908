/**
 * The code action "Annotate with inferred lock contract", through the real server over stdio: offered on a
 * definition's header with the same insertions `lockscope contracts` makes, not offered inside a body without
 * a diagnostic or for a contract only some exits keep, and offered as a quick fix on a missing-required-lock
 * diagnostic in the function. The server only offers the edit; the text changes when the client applies it.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodeActionKind, CodeActionRequest, type WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import { startServer } from '../support/lsp';

const TEXT = `struct foo {
	struct mutex lock;
	spinlock_t wait_lock;
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

static void foo_put(struct foo *f, bool unlock)
{
	f->count--;
	if (unlock)
		mutex_unlock(&f->lock);
}

static void foo_wait_bump(struct foo *f)
{
	lockdep_assert_held(&f->wait_lock);
	f->count++;
}

static void foo_bump_both(struct foo *f)
{
	foo_wait_bump(f);
	mutex_lock(&f->lock);
	f->count = 0;
	mutex_unlock(&f->lock);
	foo_bump(f);
}
`;

/** Apply a WorkspaceEdit's insertions to `text` (as a client would). */
function applyEdit(text: string, uri: string, edit: WorkspaceEdit): string {
  const lines = text.split('\n');
  const edits = [...edit.changes![uri]].sort(
    (a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character,
  );
  for (const e of edits) {
    assert.deepEqual(e.range.start, e.range.end, 'insertions only');
    const l = lines[e.range.start.line];
    lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.start.character);
  }
  return lines.join('\n');
}

test('code action: annotate a definition with its inferred lock contract', async (t) => {
  const client = await startServer();
  t.after(() => client.dispose());
  const uri = 'file:///tmp/lockscope-contract-action/foo.c';
  await client.open(uri, TEXT);
  const diags = await client.waitForDiagnostics(uri);
  const lines = TEXT.split('\n');
  const actionsAt = async (needle: string, diagnostics = diags.diagnostics.filter(() => false)) => {
    const line = lines.findIndex((l) => l.includes(needle));
    const acts = await client.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line, character: 2 }, end: { line, character: 2 } },
      context: { diagnostics },
    });
    return (acts ?? []).filter((a) => 'title' in a && a.title.startsWith('Annotate with inferred lock contract')) as {
      title: string;
      kind?: string;
      edit?: WorkspaceEdit;
    }[];
  };
  const twice = await actionsAt('static void foo_twice');
  assert.equal(twice.length, 1);
  assert.equal(
    twice[0].title,
    'Annotate with inferred lock contract: __must_hold(&f->lock) lockdep_assert_held(&f->lock);',
  );
  assert.equal(twice[0].kind, CodeActionKind.RefactorRewrite);
  const after = applyEdit(TEXT, uri, twice[0].edit!);
  assert.ok(
    after.includes(
      'static void foo_twice(struct foo *f) __must_hold(&f->lock)\n{\n\tint i;\n\n' +
        '\tlockdep_assert_held(&f->lock);\n\n\tfor (i = 0;',
    ),
    after,
  );
  // inside the body, with no diagnostic: not offered (it is about the definition)
  assert.deepEqual(await actionsAt('foo_bump(f);\n'.trim()), []);
  // released on some exits only: nothing certain to write
  assert.deepEqual(await actionsAt('static void foo_put'), []);
  // on a missing-required-lock diagnostic inside a function: a quick fix that states the requirement
  const missing = diags.diagnostics.filter((d) => d.code === 'missing-required-lock');
  assert.equal(missing.length, 1, JSON.stringify(diags.diagnostics));
  {
    const line = missing[0].range.start.line;
    const acts = await client.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: missing[0].range,
      context: { diagnostics: missing },
    });
    const fix = (acts ?? []).find((a) => 'title' in a && a.title.startsWith('Annotate with inferred')) as
      { kind?: string; diagnostics?: unknown[] } | undefined;
    assert.ok(fix, `no quick fix on line ${line + 1}`);
    assert.equal(fix.kind, CodeActionKind.QuickFix);
    assert.equal(fix.diagnostics?.length, 1);
    assert.match(
      (fix as { title: string }).title,
      /: __must_hold\(&f->wait_lock\) lockdep_assert_held\(&f->wait_lock\);$/,
    );
  }
  assert.equal((await client.shutdown()).code, 0);
});
