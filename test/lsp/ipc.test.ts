/**
 * The VS Code client talks to the server over node's IPC channel (TransportKind.ipc), not stdio:
 * the same server must answer there too.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageOf, startServer } from '../support/lsp';
import { FOO_FLUSH } from '../support/samples';

const TEXT = FOO_FLUSH;

test('diagnostics and hover over --node-ipc', async (t) => {
  const client = await startServer({}, { transport: 'ipc' });
  t.after(() => client.dispose());
  const uri = 'file:///tmp/lockscope-ipc/foo.c';
  await client.open(uri, TEXT);
  const d = await client.waitForDiagnostics(uri, { pred: (p) => p.diagnostics.length > 0 });
  assert.equal(d.diagnostics.length, 1);
  assert.equal(d.diagnostics[0].code, 'lock-imbalance');
  assert.equal(d.diagnostics[0].range.start.line, 4);
  assert.match(messageOf(d.diagnostics[0]), /&f->lock taken at line 3 is still held when returning -EIO/);
  const hover = await client.hoverText(uri, 3, 2);
  assert.match(hover ?? '', /&f->lock/);
  const exit = await client.shutdown();
  assert.equal(exit.code, 0);
});
