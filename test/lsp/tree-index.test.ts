/**
 * A workspace that is a kernel tree is indexed in the background (a worker thread), with progress;
 * an open file is then analysed against the rest of the tree: the seed-000 diagnostic appears on the
 * direct-write call in btrfs_file_write_iter, its related information walking through iomap, the
 * VFS and the ops table in other files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  CallHierarchyIncomingCallsRequest,
  CallHierarchyOutgoingCallsRequest,
  CallHierarchyPrepareRequest,
} from 'vscode-languageserver-protocol/node';
import { fileUri, messageOf, root, startServer } from '../support/lsp';
import { CallGraphRequest, IndexStatusRequest, LockOrderRequest } from '../../server/src/protocol';

const tree = path.join(root(), 'test', 'trees', 'seed000-5.9');
const file = path.join(tree, 'fs', 'btrfs', 'file.c');

test('seed 000 in the editor: the cross-file recursive lock after indexing', async (t) => {
  const client = await startServer({ folders: [tree], progress: true });
  t.after(() => client.dispose());
  const uri = fileUri(file);
  const text = fs.readFileSync(file, 'utf8');
  await client.open(uri, text);
  const d = await client.waitForDiagnostics(uri, {
    pred: (p) => p.diagnostics.some((x) => x.code === 'recursive-lock'),
    timeoutMs: 60000,
  });
  const diag = d.diagnostics.find((x) => x.code === 'recursive-lock')!;
  const line = text
    .split('\n')
    .findIndex((l) => l.includes('btrfs_direct_write(iocb, from); /* expect: recursive-lock'));
  assert.equal(diag.range.start.line, line);
  assert.match(messageOf(diag), /possible recursive locking: &inode->i_rwsem/);
  const uris = new Set(
    (diag.relatedInformation ?? []).map((r) => path.relative(tree, new URL(r.location.uri).pathname)),
  );
  for (const f of ['fs/btrfs/file.c', 'fs/iomap/direct-io.c', 'include/linux/fs.h', 'fs/sync.c'])
    assert.ok(uris.has(f), `related information misses ${f}`);
  assert.ok((diag.relatedInformation ?? []).some((r) => /btrfs_file_operations\.fsync/.test(r.message)));
  assert.ok(client.progressTokens.length >= 1, 'no work-done progress was created');
  assert.deepEqual([client.progress[0]?.kind, client.progress[client.progress.length - 1]?.kind], ['begin', 'end']);
  // each phase says what it does (cold: parsing, linking, checking; warm: loading), never 100 % before the end
  const said = client.progress.filter((p) => p.kind === 'report').map((p) => p.message ?? '');
  const cold = ['parsing', 'linking calls', 'checking'].every((w) => said.some((m) => m.startsWith(w)));
  assert.ok(cold || said.some((m) => m.startsWith('loading the cached analysis')), JSON.stringify(said));
  assert.ok(
    client.progress.every((p) => p.kind !== 'report' || (p.percentage ?? 0) < 100),
    'a report at 100 % before the end',
  );
  assert.ok(client.logs.some((l) => /indexed \d+ files/.test(l.message)));
  const hover = await client.hoverText(uri, line, 4);
  assert.match(hover ?? '', /&inode->i_rwsem/);
  // inside btrfs_direct_write: its only caller holds the inode lock when it calls it
  const inDirect = text.split('\n').findIndex((l) => l.includes('written = __btrfs_direct_write(iocb, from);'));
  const calleeHover = await client.hoverText(uri, inDirect, 2);
  assert.match(calleeHover ?? '', /Callers \(1\) hold on entry:\*\* `&inode->i_rwsem`/);
  assert.equal((await client.shutdown()).code, 0);
});

test('incremental: an edit to fs/sync.c that stops calling ->fsync clears its finding in btrfs/file.c', async (t) => {
  const client = await startServer({ folders: [tree] });
  t.after(() => client.dispose());
  const uri = fileUri(file);
  await client.open(uri, fs.readFileSync(file, 'utf8'));
  await client.waitForDiagnostics(uri, {
    pred: (p) => p.diagnostics.some((x) => x.code === 'recursive-lock'),
    timeoutMs: 60000,
  });
  const syncFile = path.join(tree, 'fs', 'sync.c');
  const syncUri = fileUri(syncFile);
  const original = fs.readFileSync(syncFile, 'utf8');
  await client.open(syncUri, original);
  const edited = original.replace('return file->f_op->fsync(file, start, end, datasync);', 'return 0;');
  assert.notEqual(edited, original);
  await client.change(syncUri, 2, edited);
  const after = await client.waitForDiagnostics(uri, {
    pred: (p) => !p.diagnostics.some((x) => x.code === 'recursive-lock'),
    timeoutMs: 30000,
  });
  assert.ok(!after.diagnostics.some((x) => x.code === 'recursive-lock'));
  await client.change(syncUri, 3, original);
  await client.waitForDiagnostics(uri, {
    pred: (p) => p.diagnostics.some((x) => x.code === 'recursive-lock'),
    timeoutMs: 30000,
  });
  assert.equal((await client.shutdown()).code, 0);
});

test('call hierarchy follows ops tables and shows what callers hold', async (t) => {
  const client = await startServer({ folders: [tree] });
  t.after(() => client.dispose());
  const uri = fileUri(file);
  const text = fs.readFileSync(file, 'utf8');
  await client.open(uri, text);
  await client.waitForDiagnostics(uri, {
    pred: (p) => p.diagnostics.some((x) => x.code === 'recursive-lock'),
    timeoutMs: 60000,
  });
  const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
  // hover on a call: what the callee may take, down the ops-table path, and that it may sleep
  const callLine = lineOf('num_written = btrfs_direct_write(iocb, from);');
  const onCall = await client.hoverText(uri, callLine, text.split('\n')[callLine].indexOf('btrfs_direct_write') + 3);
  assert.match(onCall ?? '', /\*\*Calling `btrfs_direct_write\(\)`\*\*/);
  assert.match(
    onCall ?? '',
    /- `&inode->i_rwsem` \(struct inode::i_rwsem\) — through ->fsync = btrfs_sync_file\(\) \(btrfs_file_operations\.fsync\), called at fs\/sync\.c:\d+ `vfs_fsync_range\(\)`/,
  );
  const offCall = await client.hoverText(uri, callLine, 3);
  assert.doesNotMatch(offCall ?? '', /Calling/);
  // who calls btrfs_sync_file: vfs_fsync_range, through ->fsync of btrfs_file_operations
  const [syncItem] =
    (await client.conn.sendRequest(CallHierarchyPrepareRequest.type, {
      textDocument: { uri },
      position: { line: lineOf('int btrfs_sync_file(') + 2, character: 2 },
    })) ?? [];
  assert.equal(syncItem?.name, 'btrfs_sync_file');
  const incoming = await client.conn.sendRequest(CallHierarchyIncomingCallsRequest.type, { item: syncItem });
  const fromSync = incoming?.find((c) => c.from.name === 'vfs_fsync_range');
  assert.ok(fromSync, JSON.stringify(incoming?.map((c) => c.from.name)));
  assert.match(fromSync.from.detail ?? '', /->fsync \(btrfs_file_operations\)/);
  // who calls btrfs_direct_write: btrfs_file_write_iter, holding the inode lock
  const [directItem] =
    (await client.conn.sendRequest(CallHierarchyPrepareRequest.type, {
      textDocument: { uri },
      position: { line: lineOf('written = __btrfs_direct_write(iocb, from);'), character: 2 },
    })) ?? [];
  assert.equal(directItem?.name, 'btrfs_direct_write');
  const callers = await client.conn.sendRequest(CallHierarchyIncomingCallsRequest.type, { item: directItem });
  assert.match(
    callers?.find((c) => c.from.name === 'btrfs_file_write_iter')?.from.detail ?? '',
    /holds &inode->i_rwsem/,
  );
  // the custom requests: index status, and the call-graph report with its SVG
  const status = await client.conn.sendRequest(IndexStatusRequest);
  assert.equal(status.state, 'ready');
  assert.ok((status.files ?? 0) >= 7 && (status.functions ?? 0) >= 10, JSON.stringify(status));
  const report = await client.conn.sendRequest(CallGraphRequest, { uri, line: lineOf('inode_lock(inode);'), depth: 8 });
  assert.equal(report?.function, 'btrfs_file_write_iter');
  assert.match(report?.svg ?? '', /<svg /);
  assert.match(report?.dot ?? '', /color=red/);
  assert.match(report?.markdown ?? '', /`btrfs_file_write_iter` \| `btrfs_direct_write`.*`&inode->i_rwsem` \| yes/);
  // the lock-order graph of the tree: xfs's iolock-then-ilock edge, no cycle
  const order = await client.conn.sendRequest(LockOrderRequest, {});
  assert.equal(order?.edges, 1, order?.markdown);
  assert.deepEqual(order?.cycles, []);
  assert.match(
    order?.markdown ?? '',
    /`struct inode::i_rwsem \(fs\/xfs\)` \| `struct xfs_inode::i_lock \(fs\/xfs\)` \| `xfs_file_dio_write\(\)`/,
  );
  assert.match(order?.svg ?? '', /<svg /);
  assert.equal((await client.conn.sendRequest(LockOrderRequest, { cyclesOnly: true }))?.omitted, 1);
  // what vfs_fsync_range calls through ->fsync: the implementations
  const outgoing = await client.conn.sendRequest(CallHierarchyOutgoingCallsRequest.type, { item: fromSync.from });
  assert.ok(
    outgoing?.some((c) => c.to.name === 'btrfs_sync_file' && /btrfs_file_operations\.fsync/.test(c.to.detail ?? '')),
    JSON.stringify(outgoing?.map((c) => c.to.name)),
  );
  assert.equal((await client.shutdown()).code, 0);
});
