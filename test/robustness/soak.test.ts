/**
 * Long editing sessions through the real server. The keystroke replay types a fixture into an empty
 * document one character at a time (incremental changes, as an editor sends them) and checks the final
 * diagnostics equal those of a fresh open of the same text. The soak test makes thousands of random line
 * edits with hovers and call-hierarchy requests in between, then checks the server still answers and its
 * live heap has not grown: within 10 % of the heap after the first 100 edits. The heap is measured on
 * heap snapshots of the server (taken on a signal, so after a full GC), without V8's compiled code (optimised
 * code, its deoptimisation data and relocation info, feedback vectors): that part grows while functions get
 * hot and levels off, and holds none of our data. Short variants run in npm test; LOCKSCOPE_LONG_TESTS=1
 * runs 10,000 edits and replays every fixture.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { repoRoot } from '../support/engine';
import { type LspClient, fileUri, startServer } from '../support/lsp';
import { prng } from '../support/mutate';

const LONG = process.env.LOCKSCOPE_LONG_TESTS === '1';

/** A heap snapshot's size in bytes: everything, and the part that is not V8's compiled code. */
function snapshotSizes(file: string): { total: number; data: number } {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [ti, si, n] = [fields.indexOf('type'), fields.indexOf('self_size'), fields.length];
  let total = 0;
  let code = 0;
  for (let i = 0; i < snap.nodes.length; i += n) {
    total += snap.nodes[i + si];
    if (types[snap.nodes[i + ti]] === 'code') code += snap.nodes[i + si];
  }
  return { total, data: total - code };
}

/** Make the server write a heap snapshot into `dir` (it runs with --heapsnapshot-signal) and measure it. */
async function snapshot(c: LspClient, dir: string): Promise<{ total: number; data: number }> {
  const before = new Set(fs.readdirSync(dir));
  c.proc.kill('SIGUSR2');
  for (let waited = 0; waited < 120000; waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
    const file = fs.readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    try {
      const sizes = snapshotSizes(path.join(dir, file)); // throws while the file is still being written
      fs.rmSync(path.join(dir, file));
      return sizes;
    } catch {
      // not complete yet
    }
  }
  throw new Error('the server wrote no heap snapshot within 2 minutes');
}

const mib = (b: number) => Math.round(b / 1024 / 102.4) / 10;

function fixtureFiles(): string[] {
  const dir = path.join(repoRoot(), 'test', 'fixtures');
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((d) => {
      const sub = path.join(dir, d);
      return fs.statSync(sub).isDirectory()
        ? fs
            .readdirSync(sub)
            .sort()
            .filter((f) => f.endsWith('.c'))
            .map((f) => path.join(sub, f))
        : [];
    });
}

const shape = (ds: Diagnostic[]) =>
  ds.map((d) => ({
    code: d.code,
    range: d.range,
    message: d.message,
    related: d.relatedInformation?.map((r) => r.location.range),
  }));

/** Type `text` into `uri` one character at a time; returns the last version sent. */
async function typeIn(c: LspClient, uri: string, text: string): Promise<number> {
  await c.open(uri, '', 1);
  const doc = TextDocument.create(uri, 'c', 1, '');
  let version = 1;
  for (const ch of text) {
    const pos = doc.positionAt(doc.getText().length);
    version++;
    const change = { range: { start: pos, end: pos }, text: ch };
    TextDocument.update(doc, [change], version);
    await c.edit(uri, version, [change]);
    // let the server breathe every line, as a typist would
    if (ch === '\n') await c.waitForDiagnostics(uri, { version, timeoutMs: 30000 });
  }
  return version;
}

describe('keystroke replay', () => {
  const files = fixtureFiles();
  const chosen = LONG
    ? files
    : [
        files.find((f) => f.includes('lock-imbalance')) ?? files[0],
        files.find((f) => f.includes('recursive-lock')) ?? files[1],
      ];
  for (const file of chosen) {
    test(
      `typing ${path.relative(repoRoot(), file)} ` + "one character at a time ends with a fresh open's diagnostics",
      async (t) => {
        const text = fs.readFileSync(file, 'utf8');
        const c = await startServer({ folders: [], settings: { lockscope: {} } }, { timeoutMs: 30000 });
        t.after(() => c.dispose());
        const typed = fileUri(path.join(repoRoot(), 'test', 'replay-virtual', 'typed.c'));
        const fresh = fileUri(path.join(repoRoot(), 'test', 'replay-virtual', 'fresh.c'));
        const last = await typeIn(c, typed, text);
        const a = await c.waitForDiagnostics(typed, { version: last, timeoutMs: 30000 });
        await c.open(fresh, text, 1);
        const b = await c.waitForDiagnostics(fresh, { version: 1 });
        assert.deepEqual(shape(a.diagnostics), shape(b.diagnostics));
        await c.shutdown();
      },
    );
  }
});

/** Every fixture's text, one after another: a few thousand lines of kernel-style C. */
function bigText(): string {
  return fixtureFiles()
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
}

describe('soak', () => {
  const EDITS = LONG ? 10000 : 600;
  test(
    `${EDITS} random edits with hovers and call hierarchy: ` + 'the server answers, the live heap stays flat',
    async (t) => {
      const snaps = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-soak-'));
      const c = await startServer(
        { folders: [], settings: { lockscope: {} } },
        { timeoutMs: 60000, nodeArgs: ['--expose-gc', '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snaps}`] },
      );
      t.after(() => {
        c.dispose();
        fs.rmSync(snaps, { recursive: true, force: true });
      });
      const uri = fileUri(path.join(repoRoot(), 'test', 'soak-virtual', 'soak.c'));
      const text = bigText();
      const doc = TextDocument.create(uri, 'c', 1, text);
      await c.open(uri, text, 1);
      await c.waitForDiagnostics(uri, { version: 1, timeoutMs: 60000 });
      const rnd = prng(20261202);
      const memory = () => c.request<{ heapUsedMiB: number; codeMiB: number }>('lockscope/memory');
      const heap = async () => (await memory()).heapUsedMiB;
      let version = 1;
      let after100 = 0;
      let code100 = 0;
      let snap100 = { total: 0, data: 0 };
      const series: string[] = [];
      for (let i = 1; i <= EDITS; i++) {
        const lines = doc.getText().split('\n');
        const line = 1 + Math.floor(rnd() * (lines.length - 2));
        // insert a comment line, or delete one inserted before (the text keeps returning to the original)
        const ours = lines.findIndex((l, k) => k >= line && l.startsWith('/* soak '));
        const change =
          rnd() < 0.5 || ours < 0
            ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `/* soak ${i} */\n` }
            : { range: { start: { line: ours, character: 0 }, end: { line: ours + 1, character: 0 } }, text: '' };
        version++;
        TextDocument.update(doc, [change], version);
        await c.edit(uri, version, [change]);
        if (i % 10 === 0) {
          await c.waitForDiagnostics(uri, { version, timeoutMs: 60000 });
          const hl = Math.floor(rnd() * doc.lineCount);
          await c.hover(uri, hl, 2);
          await c.request('textDocument/prepareCallHierarchy', {
            textDocument: { uri },
            position: { line: hl, character: 4 },
          });
        }
        if (i === 100) {
          ({ heapUsedMiB: after100, codeMiB: code100 } = await memory());
          snap100 = await snapshot(c, snaps);
        }
        if (i % 1000 === 0) series.push(`${i}: ${await heap()}`);
      }
      await c.waitForDiagnostics(uri, { version, timeoutMs: 60000 });
      const end = await heap();
      const codeEnd = (await memory()).codeMiB;
      const snapEnd = await snapshot(c, snaps);
      t.diagnostic(
        `heap used: ${after100} MiB after 100 edits (code space ${code100}), ` +
          `${end} MiB after ${EDITS} (code space ${codeEnd}); by edits: ${series.join(', ')}`,
      );
      t.diagnostic(
        `heap snapshots: ${mib(snap100.total)} MiB after 100 edits (${mib(snap100.data)} without compiled code), ` +
          `${mib(snapEnd.total)} MiB after ${EDITS} (${mib(snapEnd.data)} without compiled code)`,
      );
      assert.ok((await c.hoverText(uri, 3, 2)) !== null, 'hover still answers');
      assert.ok(
        snapEnd.data <= snap100.data * 1.1,
        `live heap without compiled code grew from ${mib(snap100.data)} MiB after 100 edits ` +
          `to ${mib(snapEnd.data)} MiB after ${EDITS}`,
      );
      await c.shutdown();
    },
  );
});
