/**
 * Start-up failures are shown, and the index status says `failed` with the reason: the grammar failing to
 * load, and the indexer worker failing — missing, throwing as it starts, reporting an error, or exiting
 * midway. (The indexer used to fail silently with the status stuck at `indexing`.) Open files are still
 * analysed on their own when only the indexer failed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { type LspClient, MessageType, fileUri, root, startServer } from '../support/lsp';
import { LEAKY } from '../support/samples';
import { type IndexStatus, IndexStatusRequest } from '../../server/src/protocol';

type T = { after: (fn: () => void) => void };

function tempDir(t: T, prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A small kernel-like tree (include/linux/ marks it) with one planted bug. */
function kernelTree(t: T): { tree: string; uri: string } {
  const tree = tempDir(t, 'lockscope-fail-tree-');
  fs.mkdirSync(path.join(tree, 'include', 'linux'), { recursive: true });
  fs.mkdirSync(path.join(tree, 'fs', 'widget'), { recursive: true });
  const file = path.join(tree, 'fs', 'widget', 'widget.c');
  fs.writeFileSync(file, LEAKY);
  return { tree, uri: fileUri(file) };
}

/** The bundled server copied alone into a folder, with `indexer` as its dist/indexer.js (none when undefined). */
function serverWith(t: T, indexer: string | undefined): string {
  const dist = path.join(tempDir(t, 'lockscope-fail-server-'), 'dist');
  fs.mkdirSync(dist);
  fs.copyFileSync(path.join(root(), 'dist', 'server.js'), path.join(dist, 'server.js'));
  if (indexer !== undefined) fs.writeFileSync(path.join(dist, 'indexer.js'), indexer);
  return path.join(dist, 'server.js');
}

/** The index status once it has left `none` and `indexing` (asked again after each answer: no sleeps). */
async function settled(c: LspClient): Promise<IndexStatus> {
  for (let i = 0; i < 2000; i++) {
    const s = await c.request<IndexStatus>(IndexStatusRequest.method);
    if (s.state !== 'none' && s.state !== 'indexing') return s;
  }
  throw new Error('the index status never settled');
}

describe('start-up failures', () => {
  test('the grammar fails to load: an error message, and the index status is failed with it', async (t) => {
    const { tree } = kernelTree(t);
    const empty = tempDir(t, 'lockscope-fail-nogrammar-');
    const c = await startServer({
      folders: [tree],
      settings: { lockscope: {} },
      initializationOptions: { grammarDirectory: empty },
    });
    t.after(() => c.dispose());
    const err = await c.waitForMessage((m) => m.type === MessageType.Error);
    assert.match(err.message, /tree-sitter-c\.wasm/);
    const s = await settled(c);
    assert.equal(s.state, 'failed');
    assert.match(s.message ?? '', /no grammar to analyse with: .*tree-sitter-c\.wasm/);
    assert.equal(c.messages.items.filter((m) => m.type === MessageType.Error).length, 1, 'shown once');
    await c.shutdown();
  });

  const planted = 'planted indexer failure';
  for (const [name, indexer, reason] of [
    ['the indexer is missing', undefined, /indexer\.js is missing/],
    [
      'the indexer throws as it starts',
      `throw new Error('${planted}');`,
      new RegExp(`the indexer stopped: ${planted}`),
    ],
    [
      'the indexer reports an error',
      `const message = 'Error: ${planted}\\n    at run (indexer.js:1:1)';\n` +
        `require('node:worker_threads').parentPort.postMessage({ type: 'error', message });`,
      new RegExp(`^Error: ${planted}$`),
    ],
    ['the indexer exits midway', `process.exit(3);`, /the indexer exited \(code 3\) before it was done/],
  ] as const) {
    test(`${name}: an error shown, the status failed with the reason, open files analysed alone`, async (t) => {
      const { tree, uri } = kernelTree(t);
      const env = { LOCKSCOPE_GRAMMARS: path.join(root(), 'grammars') };
      const c = await startServer(
        { folders: [tree], settings: { lockscope: {} } },
        { server: serverWith(t, indexer), env },
      );
      t.after(() => c.dispose());
      const err = await c.waitForMessage((m) => m.type === MessageType.Error);
      assert.match(err.message, /^lockscope: indexing failed: /);
      assert.doesNotMatch(err.message, /\n/, 'one line: the details are in the log');
      const s = await settled(c);
      assert.equal(s.state, 'failed');
      assert.equal(s.root, tree);
      assert.match(s.message ?? '', reason);
      await c.open(uri, LEAKY, 1);
      const p = await c.waitForDiagnostics(uri, { version: 1 });
      assert.deepEqual(
        p.diagnostics.map((d) => d.code),
        ['lock-imbalance'],
      );
      assert.equal((await c.shutdown()).code, 0);
    });
  }
});
