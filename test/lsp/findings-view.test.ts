/**
 * `lockscope/findings` over stdio: once the tree is indexed the server says its findings changed and answers
 * with every file's findings, files never opened included (no diagnostics were published for them); an open,
 * edited document then stands for its file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileUri, root, startServer } from '../support/lsp';
import { expectationsOf } from '../support/engine';
import { FindingsChangedNotification, FindingsRequest, IndexStatusRequest } from '../../server/src/protocol';

const tree = path.join(root(), 'test', 'trees', 'findings-view');
const FILES = ['fs/quill/file.c', 'fs/quill/flush.c', 'fs/quill/super.c'];

test('the findings of files never opened, from the index; an edited open file replaces its own', async (t) => {
  const client = await startServer({ folders: [tree] });
  t.after(() => client.dispose());
  // before the index: nothing open, nothing to show, and the state says why
  const early = await client.conn.sendRequest(FindingsRequest, {});
  if (early.state !== 'ready') assert.equal(early.total, 0);
  await client.waitForNotification(FindingsChangedNotification.method, { timeoutMs: 60000 });
  assert.equal((await client.conn.sendRequest(IndexStatusRequest)).state, 'ready');

  const r = await client.conn.sendRequest(FindingsRequest, {});
  assert.equal(r.state, 'ready');
  const want = FILES.flatMap((rel) =>
    expectationsOf(fs.readFileSync(path.join(tree, rel), 'utf8'), rel).map((e) => `${rel}:${e.line}:${e.kind}`),
  );
  assert.deepEqual(
    r.findings.map((f) => `${f.file}:${f.range.start.line + 1}:${f.kind}`),
    want,
  );
  for (const f of r.findings) assert.equal(f.uri, fileUri(path.join(tree, f.file)));
  const rec = r.findings.find((f) => f.kind === 'recursive-lock')!;
  assert.deepEqual(
    rec.steps.map((s) => s.uri),
    [
      fileUri(path.join(tree, 'fs/quill/file.c')),
      fileUri(path.join(tree, 'fs/quill/file.c')),
      fileUri(path.join(tree, 'fs/quill/flush.c')),
    ],
  );
  assert.deepEqual(client.diagnostics.items, [], 'no file was opened, so none was published');

  // open flush.c and fix its error exit: the view's answer follows the document, not the index
  const flush = path.join(tree, 'fs/quill/flush.c');
  const uri = fileUri(flush);
  const text = fs.readFileSync(flush, 'utf8');
  await client.open(uri, text);
  await client.waitForDiagnostics(uri, { pred: (p) => p.diagnostics.some((d) => d.code === 'lock-imbalance') });
  const fixed = text.replace(
    '\t\treturn -EINVAL; /* expect: lock-imbalance */',
    '\t{\n\t\tmutex_unlock(&qi->io_mutex);\n\t\treturn -EINVAL;\n\t}',
  );
  assert.notEqual(fixed, text);
  await client.change(uri, 2, fixed.replace('if (from > to)\n\t{', 'if (from > to) {'));
  await client.waitForDiagnostics(uri, { version: 2 });
  const after = await client.conn.sendRequest(FindingsRequest, {});
  assert.deepEqual(
    after.findings.map((f) => f.kind),
    ['recursive-lock', 'sleep-in-atomic', 'double-unlock'],
  );
  assert.equal((await client.shutdown()).code, 0);
});
