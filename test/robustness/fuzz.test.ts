/**
 * Fuzz through the real language server: mutated fixtures (token deletions and insertions, truncation,
 * brace damage, duplication) and generated stress shapes (deep nesting, huge functions and switches).
 * Each document must get a publishDiagnostics for its version within the budget, with well-formed
 * diagnostics (ranges inside the text, a known kind, a message), hover must answer, and the server must
 * stay up. LOCKSCOPE_LONG_TESTS=1 runs many more mutations per fixture.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { FINDING_KINDS } from '../../server/src/engine';
import { repoRoot } from '../support/engine';
import { type LspClient, fileUri, startServer } from '../support/lsp';
import { deepNesting, hugeFunction, hugeSwitch, mutate, prng } from '../support/mutate';

const LONG = process.env.LOCKSCOPE_LONG_TESTS === '1';
const PER_FIXTURE = LONG ? 25 : 2;
/** Budget for one document's analysis, generous for a loaded CI machine. */
const BUDGET_MS = 20000;

function fixtures(): { name: string; text: string }[] {
  const dir = path.join(repoRoot(), 'test', 'fixtures');
  const out: { name: string; text: string }[] = [];
  for (const d of fs.readdirSync(dir).sort()) {
    const sub = path.join(dir, d);
    if (!fs.statSync(sub).isDirectory()) continue;
    for (const f of fs.readdirSync(sub).sort())
      if (f.endsWith('.c')) out.push({ name: `${d}/${f}`, text: fs.readFileSync(path.join(sub, f), 'utf8') });
  }
  return out;
}

function wellFormed(p: PublishDiagnosticsParams, text: string, what: string): void {
  const lines = text.split(/\r\n|\r|\n/);
  for (const d of p.diagnostics) {
    const { start, end } = d.range;
    assert.ok(
      start.line >= 0 && start.line < lines.length && end.line >= start.line && end.line < lines.length,
      `${what}: range ${JSON.stringify(d.range)} outside ${lines.length} lines`,
    );
    assert.ok(
      start.character >= 0 && start.character <= lines[start.line].length + 1,
      `${what}: start column ${start.character} past the line`,
    );
    assert.ok(typeof d.message === 'string' && d.message.length > 0, `${what}: empty message`);
    if (d.source === 'lockscope' && d.severity !== 3)
      assert.ok(
        (FINDING_KINDS as readonly string[]).includes(String(d.code)),
        `${what}: unknown code ${String(d.code)}`,
      );
  }
}

describe('fuzz: the language server on damaged and extreme C', () => {
  let c: LspClient;
  let version = 0;
  const uri = fileUri(path.join(repoRoot(), 'test', 'fuzz-virtual', 'fuzz.c'));
  before(async () => {
    c = await startServer({ folders: [], settings: { lockscope: {} } }, { timeoutMs: BUDGET_MS });
  });
  after(async () => {
    await c.shutdown();
  });

  /** Send `text` as the next version and check what comes back. */
  async function check(text: string, what: string): Promise<void> {
    version++;
    if (version === 1) await c.open(uri, text, version);
    else await c.change(uri, version, text);
    const p = await c.waitForDiagnostics(uri, { version, timeoutMs: BUDGET_MS });
    wellFormed(p, text, what);
    const lines = text.split('\n');
    const line = Math.floor(lines.length / 2);
    await c.hover(uri, line, Math.floor((lines[line]?.length ?? 0) / 2));
    assert.equal(c.exited, undefined, `${what}: the server exited: ${c.stderr}`);
  }

  test(`${PER_FIXTURE} seeded mutations of every fixture (seed = fixture index)`, async () => {
    const all = fixtures();
    assert.ok(all.length > 20);
    for (const [i, f] of all.entries()) {
      const rnd = prng(i + 1);
      let text = f.text;
      for (let k = 0; k < PER_FIXTURE; k++) {
        const m = mutate(text, rnd);
        text = m.text;
        await check(text, `${f.name} seed ${i + 1} step ${k}: ${m.what}`);
      }
    }
  });

  test(
    'deep nesting (3,000 nested ifs): answered, ' + 'and the function is said to be too deep rather than skipped',
    async () => {
      await check(deepNesting(3000), 'deep nesting');
      const p = await c.waitForDiagnostics(uri, { version });
      assert.ok(
        p.diagnostics.some((d) =>
          /deep\(\) not analysed: it nests over \d+ syntax levels deep/.test(String(d.message)),
        ),
        JSON.stringify(p.diagnostics),
      );
      const hover = await c.hoverText(uri, 5, 1);
      assert.match(hover ?? '', /deep\(\)` was not analysed: it nests over \d+ syntax levels deep/);
    },
  );

  test('a 20,000-statement function and a 5,000-case switch: answered within the budget', async () => {
    await check(hugeFunction(20000), 'huge function');
    await check(hugeSwitch(5000), 'huge switch');
  });
});
