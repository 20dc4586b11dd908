/** `lockscope/mapSplat`: the editor's "Map Kernel Splat…" over the real server, on the seed-000 tree. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileUri, root, startServer } from '../support/lsp';
import { IndexStatusRequest, MapSplatRequest } from '../../server/src/protocol';

const tree = path.join(root(), 'test', 'trees', 'seed000-5.9');
const file = path.join(tree, 'fs', 'btrfs', 'file.c');
const splat = fs.readFileSync(path.join(root(), 'test', 'fixtures', 'splats', 'seed000-recursive.txt'), 'utf8');

test('a recursive-locking splat maps onto the indexed seed-000 tree; garbage gets a reason', async (t) => {
  const client = await startServer({ folders: [tree] });
  t.after(() => client.dispose());
  // before any index: a reason, not an error
  const early = await client.conn.sendRequest(MapSplatRequest, { text: 'no splat here' });
  assert.match(early.error ?? '', /no lockdep report or hung-task trace found/);
  const uri = fileUri(file);
  await client.open(uri, fs.readFileSync(file, 'utf8'));
  await client.waitForDiagnostics(uri, {
    pred: (p) => p.diagnostics.some((x) => x.code === 'recursive-lock'),
    timeoutMs: 60000,
  });
  assert.equal((await client.conn.sendRequest(IndexStatusRequest)).state, 'ready');
  const r = await client.conn.sendRequest(MapSplatRequest, { text: splat, name: 'seed000.txt' });
  assert.equal(r.error, undefined);
  assert.equal(r.predicted, 1, r.text);
  // absolute paths, so the output channel makes each place a link
  assert.ok(
    (r.text ?? '').includes(
      `${path.join(tree, 'fs', 'btrfs', 'file.c')}:55:17: warning: predicted: possible recursive locking`,
    ),
    r.text,
  );
  assert.match(r.text ?? '', /^seed000\.txt:3: note: lockdep: possible recursive locking detected/m);
  const json = r.json as { predicted: { kind: string }[] };
  assert.equal(json.predicted[0].kind, 'recursive-lock');
  // a bad parameter is refused by the edge, and the server keeps serving
  await assert.rejects(client.conn.sendRequest(MapSplatRequest, { text: 42 } as never));
  assert.equal((await client.conn.sendRequest(IndexStatusRequest)).state, 'ready');
  assert.equal((await client.shutdown()).code, 0);
});
