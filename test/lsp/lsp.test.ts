/**
 * The language server over stdio, as an editor sees it: the real bundled dist/server.js, spawned
 * and driven through vscode-languageserver-protocol (test/support/lsp.ts). Diagnostics carry the
 * finding kind, the right 0-based ranges and the path as related information; hover shows the
 * locks held; edits re-analyse; a half-typed document does not take the server down; closing a
 * document clears its diagnostics.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { type LspClient, fileUri, messageOf, root, startServer } from '../support/lsp';

/**
 * Three planted bugs, kernel style: a recursive lock, an unlock reached by a goto taken before the lock,
 * a leak on an error return.
 */
const DEMO = `// SPDX-License-Identifier: GPL-2.0
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

struct frob_dev {
	struct mutex lock;
	spinlock_t stat_lock;
	int count;
};

static int frob_setattr(struct inode *inode, umode_t mode)
{
	int err = 0;

	inode_lock(inode);
	if (!S_ISREG(mode)) {
		err = -EINVAL;
		goto out;
	}
	inode->i_mode = mode;
	inode_lock(inode);
out:
	inode_unlock(inode);
	return err;
}

static int frob_reset(struct frob_dev *dev, bool force)
{
	int ret = 0;

	if (!force)
		goto out_unlock;
	mutex_lock(&dev->lock);
	dev->count = 0;
out_unlock:
	mutex_unlock(&dev->lock);
	return ret;
}

static int frob_update(struct frob_dev *dev, int val)
{
	spin_lock(&dev->stat_lock);
	if (val > FROB_MAX)
		return -EIO;
	dev->count += val;
	spin_unlock(&dev->stat_lock);
	return 0;
}
`;

/** 0-based position of the nth (1-based) occurrence of `needle`. */
function at(text: string, needle: string, nth = 1): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k < nth; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `"${needle}" #${nth} not in the text`);
  }
  const before = text.slice(0, i).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

function byCode(diags: Diagnostic[], code: string): Diagnostic {
  const found = diags.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(diags.map((d) => d.code))}`);
  return found[0];
}

/** The related-information steps as [line, character, message]. */
const steps = (d: Diagnostic) =>
  (d.relatedInformation ?? []).map((r) => [r.location.range.start.line, r.location.range.start.character, r.message]);

describe('language server over stdio', () => {
  let ws: string;
  let file: string;
  let uri: string;
  let client: LspClient;

  before(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-lsp-'));
    fs.mkdirSync(path.join(ws, 'fs', 'frob'), { recursive: true });
    file = path.join(ws, 'fs', 'frob', 'inode.c');
    fs.writeFileSync(file, DEMO);
    uri = fileUri(file);
    client = await startServer({ folders: [ws], settings: { lockscope: {} } });
  });

  after(async () => {
    try {
      if (client && !client.exited) await client.shutdown();
    } finally {
      client?.dispose();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  test('initialize advertises hover and incremental sync, and the server asks for its settings', async () => {
    const caps = client.initResult?.capabilities;
    assert.equal(caps?.hoverProvider, true);
    assert.equal(caps?.textDocumentSync, 2 /* Incremental */);
    assert.equal(client.initResult?.serverInfo?.name, 'lockscope');
    // settings are read after initialized; a first analysed document proves start-up finished
    await client.open(fileUri(path.join(ws, 'warmup.c')), 'static int x;\n', 1);
    await client.waitForDiagnostics(fileUri(path.join(ws, 'warmup.c')), { version: 1 });
    assert.ok(client.configurationRequests.length >= 1, 'workspace/configuration was requested');
    assert.deepEqual(JSON.parse(JSON.stringify(client.configurationRequests[0])), {
      items: [{ section: 'lockscope' }],
    });
  });

  test('didOpen publishes one diagnostic per planted bug, with kind, source, ranges and path', async () => {
    await client.open(uri, DEMO, 1);
    const p = await client.waitForDiagnostics(uri, { version: 1 });
    assert.deepEqual(p.diagnostics.map((d) => d.code).sort(), ['lock-imbalance', 'recursive-lock', 'unlock-not-held']);
    for (const d of p.diagnostics) {
      assert.equal(d.source, 'lockscope');
      assert.equal(typeof d.message, 'string');
      assert.ok(messageOf(d).length > 10, messageOf(d));
      for (const r of d.relatedInformation ?? [])
        assert.equal(r.location.uri, uri, 'path steps point into the same document');
    }

    const rec = byCode(p.diagnostics, 'recursive-lock');
    const second = at(DEMO, '\tinode_lock(inode);', 2);
    const first = at(DEMO, '\tinode_lock(inode);', 1);
    assert.deepEqual(rec.range, {
      start: { line: second.line, character: 1 },
      end: { line: second.line, character: 1 + 'inode_lock(inode)'.length },
    });
    assert.match(messageOf(rec), /&inode->i_rwsem/);
    assert.deepEqual(steps(rec), [
      [first.line, 1, '1. frob_setattr: takes &inode->i_rwsem (inode_lock)'],
      [second.line, 1, '2. frob_setattr: takes &inode->i_rwsem again (inode_lock): deadlock'],
    ]);

    const unh = byCode(p.diagnostics, 'unlock-not-held');
    const unlock = at(DEMO, '\tmutex_unlock(&dev->lock);');
    const gotoLine = at(DEMO, 'goto out_unlock;');
    assert.deepEqual(unh.range.start, { line: unlock.line, character: 1 });
    assert.equal(unh.range.end.line, unlock.line);
    assert.ok(unh.range.end.character > 1);
    assert.equal(steps(unh).length, 2, JSON.stringify(steps(unh)));
    assert.deepEqual(steps(unh)[0].slice(0, 2), [gotoLine.line, gotoLine.character]);
    assert.match(String(steps(unh)[0][2]), /^1\. frob_reset: goto out_unlock/);
    assert.deepEqual(steps(unh)[1].slice(0, 2), [unlock.line, 1]);
    assert.match(String(steps(unh)[1][2]), /^2\. frob_reset: releases &dev->lock/);

    const leak = byCode(p.diagnostics, 'lock-imbalance');
    const ret = at(DEMO, 'return -EIO;');
    const spin = at(DEMO, '\tspin_lock(&dev->stat_lock);');
    assert.deepEqual(leak.range.start, ret);
    assert.match(messageOf(leak), /&dev->stat_lock/);
    assert.deepEqual(
      steps(leak).map((s) => s.slice(0, 2)),
      [
        [spin.line, 1],
        [ret.line, ret.character],
      ],
    );
    assert.match(String(steps(leak)[0][2]), /^1\. frob_update: takes &dev->stat_lock/);
    assert.match(String(steps(leak)[1][2]), /^2\. frob_update: returning -EIO/);
  });

  test("ranges are the CLI's 1-based line:column minus one, and messages match", async () => {
    const p = await client.waitForDiagnostics(uri, { version: 1 });
    const out = execFileSync(
      process.execPath,
      [path.join(root(), 'bin', 'lockscope.js'), 'check', '.', '--format', 'json', '--exit-zero'],
      { encoding: 'utf8', cwd: ws },
    );
    const cli = (
      JSON.parse(out) as {
        findings: {
          kind: string;
          message: string;
          file: string;
          line: number;
          column: number;
          path: { line: number }[];
        }[];
      }
    ).findings;
    assert.equal(cli.length, p.diagnostics.length);
    for (const f of cli) {
      assert.equal(f.file, 'fs/frob/inode.c', 'the CLI names files relative to where it runs');
      const d = byCode(p.diagnostics, f.kind);
      assert.deepEqual(d.range.start, { line: f.line - 1, character: f.column - 1 });
      assert.equal(messageOf(d), f.message);
      assert.deepEqual(
        (d.relatedInformation ?? []).map((r) => r.location.range.start.line),
        f.path.map((s) => s.line - 1),
      );
    }
  });

  test('hover inside the locked region shows the lock instance and where it was taken', async () => {
    const inside = at(DEMO, 'inode->i_mode = mode;');
    const taken = at(DEMO, '\tinode_lock(inode);', 1).line + 1; // 1-based, as a person reads it
    const text = await client.hoverText(uri, inside.line, inside.character + 3);
    assert.ok(text, 'hover inside the function answers');
    assert.match(text, /`&inode->i_rwsem`/);
    assert.match(text, new RegExp(`taken at \\[?line ${taken}\\b`));
    assert.match(text, /frob_setattr/);
    assert.doesNotMatch(text, /No locks held/);

    const spinInside = at(DEMO, 'dev->count += val;');
    const spinText = await client.hoverText(uri, spinInside.line, spinInside.character);
    assert.match(spinText ?? '', /`&dev->stat_lock`/);
    assert.match(spinText ?? '', new RegExp(`taken at \\[?line ${at(DEMO, '\tspin_lock(').line + 1}\\b`));
  });

  test('hover outside the locked region says no locks are held', async () => {
    for (const needle of ['int err = 0;', 'return err;']) {
      const pos = at(DEMO, needle);
      const text = await client.hoverText(uri, pos.line, pos.character + 1);
      assert.ok(text, `hover at "${needle}" answers`);
      assert.match(text, /No locks held/, `at "${needle}": ${text}`);
      assert.doesNotMatch(text, /i_rwsem/, `at "${needle}": ${text}`);
    }
  });

  test('a didChange that fixes the recursive lock clears that diagnostic only', async () => {
    const fixed = DEMO.replace('\tinode->i_mode = mode;\n\tinode_lock(inode);\n', '\tinode->i_mode = mode;\n');
    assert.notEqual(fixed, DEMO);
    await client.change(uri, 2, fixed);
    const p = await client.waitForDiagnostics(uri, { version: 2 });
    assert.deepEqual(p.diagnostics.map((d) => d.code).sort(), ['lock-imbalance', 'unlock-not-held']);
    // and the leak's range moved up by the deleted line
    assert.deepEqual(byCode(p.diagnostics, 'lock-imbalance').range.start, at(fixed, 'return -EIO;'));
  });

  test('a half-typed document (unbalanced braces) does not crash the server; hover still answers', async () => {
    const cut = DEMO.indexOf('\tmutex_lock(&dev->lock);');
    const typing = '\tmutex_lock(&dev->lock);\n\tif (dev->count > 0) {\n\t\tdev->count--;\n\tfrob_wake(dev\n';
    const half = `${DEMO.slice(0, cut)}${typing}`;
    await client.change(uri, 3, half);
    const p = await client.waitForDiagnostics(uri, { version: 3 });
    assert.ok(Array.isArray(p.diagnostics));
    assert.ok(p.diagnostics.every((d) => d.source === 'lockscope'));
    const pos = at(half, 'inode->i_mode = mode;');
    const text = await client.hoverText(uri, pos.line, pos.character);
    assert.match(text ?? '', /`&inode->i_rwsem`/, `hover after a half-typed edit: ${text}`);
    assert.equal(client.exited, undefined, `server exited: ${client.stderr}`);

    // typing on: the function is completed, the server re-analyses and still finds the leak
    await client.change(uri, 4, DEMO);
    const again = await client.waitForDiagnostics(uri, { version: 4 });
    assert.equal(again.diagnostics.length, 3);
  });

  test("a burst of changes: versions published in order, the last last, with the final text's findings", async () => {
    const mark = client.mark();
    // five changes sent back to back, as key repeat sends them. How many of them the server analyses
    // depends on its debounce and the machine's load, so nothing here counts analyses: what is
    // published must be in version order, end with the last version, and describe the last text.
    // The intermediate texts have the recursive lock (one line lower); the last has it fixed.
    const final = DEMO.replace('\tinode->i_mode = mode;\n\tinode_lock(inode);\n', '\tinode->i_mode = mode;\n');
    assert.notEqual(final, DEMO);
    for (const v of [5, 6, 7, 8]) await client.change(uri, v, `/* typing ${v} */\n${DEMO}`);
    await client.change(uri, 9, final);
    const last = await client.waitForDiagnostics(uri, { version: 9, since: mark.diagnostics });

    // the final text analysed on its own, as a fresh document, is the reference; analysing it also
    // lets a stale publication for an earlier version (which would come after 9) arrive first
    const refUri = fileUri(path.join(ws, 'fs', 'frob', 'burst-final.c'));
    await client.open(refUri, final, 1);
    const ref = await client.waitForDiagnostics(refUri, { version: 1, since: mark.diagnostics });
    await client.close(refUri);
    const shape = (d: Diagnostic) => ({ code: d.code, range: d.range, message: messageOf(d), steps: steps(d) });
    assert.deepEqual(last.diagnostics.map(shape), ref.diagnostics.map(shape));
    assert.deepEqual(last.diagnostics.map((d) => d.code).sort(), ['lock-imbalance', 'unlock-not-held']);
    assert.deepEqual(byCode(last.diagnostics, 'lock-imbalance').range.start, at(final, 'return -EIO;'));

    const published = client.diagnostics.items
      .slice(mark.diagnostics)
      .filter((p) => p.uri === uri)
      .map((p) => p.version);
    assert.ok(
      published.every((v) => v !== undefined && v >= 5 && v <= 9),
      `published for versions ${published}`,
    );
    for (let i = 1; i < published.length; i++)
      assert.ok(published[i]! > published[i - 1]!, `versions out of order: ${published}`);
    assert.equal(published[published.length - 1], 9, `published for versions ${published}`);
  });

  test('closing a document clears its diagnostics', async () => {
    const mark = client.mark();
    await client.close(uri);
    const p = await client.waitForDiagnostics(uri, { since: mark.diagnostics });
    assert.deepEqual(p.diagnostics, []);
    // the server is still alive and answers requests (null: the document is closed)
    assert.equal(await client.hover(uri, 0, 0), null);
  });

  test('shutdown and exit end the process with code 0', async () => {
    const r = await client.shutdown();
    assert.deepEqual(r, { code: 0, signal: null });
  });
});
