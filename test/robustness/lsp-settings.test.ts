/**
 * The language server with bad settings: an invalid value is reported in a window/showMessage
 * warning naming the setting and the server keeps serving with the default; a grammarDirectory
 * (given at start-up) without the grammar files gives an error naming them, and the server keeps
 * answering hover (with that error) instead of dying.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { type LspClient, MessageType, fileUri, startServer } from '../support/lsp';
import { LEAKY } from '../support/samples';

const INSIDE = { line: 5, character: 2 }; // `buf = krealloc(...)`, with the mutex held

function workspace(t: { after: (fn: () => void) => void }): { ws: string; uri: string } {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-settings-'));
  t.after(() => fs.rmSync(ws, { recursive: true, force: true }));
  const file = path.join(ws, 'widget.c');
  fs.writeFileSync(file, LEAKY);
  return { ws, uri: fileUri(file) };
}

async function stop(c: LspClient): Promise<void> {
  try {
    if (!c.exited) await c.shutdown();
  } finally {
    c.dispose();
  }
}

describe('language server with bad settings', () => {
  test(
    'maxFileSizeKB = "big": a warning naming the setting, ' + 'and the server keeps serving with the default',
    async (t) => {
      const { ws, uri } = workspace(t);
      const c = await startServer({ folders: [ws], settings: { lockscope: { maxFileSizeKB: 'big' } } });
      t.after(() => c.dispose());
      const warning = await c.waitForMessage((m) => /maxFileSizeKB/.test(m.message));
      assert.equal(warning.type, MessageType.Warning, JSON.stringify(warning));
      assert.match(warning.message, /invalid/);
      assert.match(warning.message, /default/);

      await c.open(uri, LEAKY, 1);
      const p = await c.waitForDiagnostics(uri, { version: 1 });
      assert.deepEqual(
        p.diagnostics.map((d) => d.code),
        ['lock-imbalance'],
      );
      assert.match((await c.hoverText(uri, INSIDE.line, INSIDE.character)) ?? '', /`&w->resize_lock`/);
      assert.equal(c.exited, undefined);
      await stop(c);
    },
  );

  test(
    'a bad value arriving later through didChangeConfiguration: ' + 'a new warning, old diagnostics still served',
    async (t) => {
      const { ws, uri } = workspace(t);
      const c = await startServer({ folders: [ws], settings: { lockscope: {} } });
      t.after(() => c.dispose());
      await c.open(uri, LEAKY, 1);
      await c.waitForDiagnostics(uri, { version: 1 });
      assert.equal(c.messages.items.length, 0, JSON.stringify(c.messages.items));

      const mark = c.mark();
      await c.changeSettings({ lockscope: { maxFileSizeKB: 'big', severity: { 'lock-imbalance': 'loud' } } });
      const m1 = await c.waitForMessage((m) => /maxFileSizeKB/.test(m.message), { since: mark.messages });
      const m2 = await c.waitForMessage((m) => /severity/.test(m.message), { since: mark.messages });
      assert.equal(m1.type, MessageType.Warning);
      assert.equal(m2.type, MessageType.Warning);
      // the document is re-analysed with the defaults and keeps its diagnostic
      const p = await c.waitForDiagnostics(uri, { since: mark.diagnostics });
      assert.deepEqual(
        p.diagnostics.map((d) => d.code),
        ['lock-imbalance'],
      );
      await stop(c);
    },
  );

  test('a .lockscope.json that is not JSON: a warning naming the file; the server keeps serving', async (t) => {
    const { ws, uri } = workspace(t);
    fs.writeFileSync(path.join(ws, '.lockscope.json'), '{ "maxFileSizeKB": 12, }');
    const c = await startServer({ folders: [ws], settings: { lockscope: {} } });
    t.after(() => c.dispose());
    const w = await c.waitForMessage((m) => m.message.includes('.lockscope.json'));
    assert.equal(w.type, MessageType.Warning);
    assert.match(w.message, /not valid JSON/);
    await c.open(uri, LEAKY, 1);
    const p = await c.waitForDiagnostics(uri, { version: 1 });
    assert.equal(p.diagnostics.length, 1);
    await stop(c);
  });

  test(
    'grammarDirectory (from the user, at start-up) pointing at an empty folder: ' +
      'an error naming the missing files; hover answers with it',
    async (t) => {
      const { ws, uri } = workspace(t);
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-nogrammar-'));
      t.after(() => fs.rmSync(empty, { recursive: true, force: true }));
      const c = await startServer({
        folders: [ws],
        settings: { lockscope: {} },
        initializationOptions: { grammarDirectory: empty },
      });
      t.after(() => c.dispose());
      const err = await c.waitForMessage((m) => m.type === MessageType.Error);
      assert.match(err.message, /tree-sitter-c\.wasm/);
      assert.match(err.message, /web-tree-sitter\.wasm/);
      assert.ok(err.message.includes(empty), `the message names the folder that was tried: ${err.message}`);
      assert.match(err.message, /grammarDirectory/);

      await c.open(uri, LEAKY, 1);
      const text = await c.hoverText(uri, INSIDE.line, INSIDE.character);
      assert.ok(text, 'hover answers even without a grammar');
      assert.match(text, /tree-sitter-c\.wasm/);
      assert.equal(c.exited, undefined, `server exited: ${c.stderr}`);
      // no diagnostics were invented for the document
      assert.equal(c.diagnostics.items.filter((p) => p.uri === uri && p.diagnostics.length > 0).length, 0);
      await stop(c);
    },
  );

  test(
    'a file over maxFileSizeKB: an information diagnostic saying so, ' + 'no findings, hover does not fail',
    async (t) => {
      const { ws } = workspace(t);
      const c = await startServer({ folders: [ws], settings: { lockscope: { maxFileSizeKB: 1 } } });
      t.after(() => c.dispose());
      const uri = fileUri(path.join(ws, 'big.c'));
      const text = `${LEAKY}\n`.repeat(10);
      await c.open(uri, text, 1);
      const p = await c.waitForDiagnostics(uri, { version: 1 });
      assert.equal(p.diagnostics.length, 1, JSON.stringify(p.diagnostics));
      assert.equal(p.diagnostics[0].severity, 3 /* Information */);
      assert.match(String(p.diagnostics[0].message), /maxFileSizeKB/);
      await c.hover(uri, INSIDE.line, INSIDE.character); // null or a message, but an answer
      await stop(c);
    },
  );
});
