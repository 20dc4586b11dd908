/** A lockscope diagnostic offers a quick fix that silences it with a comment; with the comment, it is gone. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodeActionRequest, type WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import { startServer } from '../support/lsp';

const TEXT = `static int foo_flush(struct foo *f)
{
	mutex_lock(&f->lock);
	if (f->dead)
		return -EIO;
	mutex_unlock(&f->lock);
	return 0;
}
`;

test('quick fix: ignore the finding on its line', async (t) => {
  const client = await startServer();
  t.after(() => client.dispose());
  const uri = 'file:///tmp/lockscope-action/foo.c';
  await client.open(uri, TEXT);
  const d = await client.waitForDiagnostics(uri, { pred: (p) => p.diagnostics.length > 0 });
  const diag = d.diagnostics[0];
  assert.equal(diag.code, 'lock-imbalance');
  assert.match(diag.codeDescription?.href ?? '', /findings\.md#lock-imbalance$/);
  const actions = await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: diag.range, context: { diagnostics: [diag] } });
  assert.ok((actions ?? []).some((a) => 'command' in a && typeof a.command === 'object' && a.command?.command === 'lockscope.explainFinding'), 'no Explain Finding action');
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
