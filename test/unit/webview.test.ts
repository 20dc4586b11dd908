/** The graph webview: a strict CSP, escaped text, and only well-formed messages acted on (issue: escaping). */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { graphPage, parseGraphMessage } from '../../client/src/webview';

describe('graph webview', () => {
  test('a CSP with nothing remote and one nonce for the script and the style; tree text is escaped', () => {
    const page = graphPage(
      'Call graph of <img src=x onerror=alert(1)>()',
      'legend <b>',
      '<?xml?><svg></svg>',
      'vscode-resource:',
    );
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.ok(page.includes(`<script nonce="${nonce}">`) && page.includes(`<style nonce="${nonce}">`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.ok(!page.includes('<img'), 'the heading is escaped');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.notEqual(nonce, /nonce-([^']+)/.exec(graphPage('', '', '', 'x'))?.[1], 'a new nonce per page');
  });

  test('open: only a tree-relative path with a line; export: only the three formats', () => {
    assert.deepEqual(parseGraphMessage({ open: 'fs/btrfs/file.c#L12' }), {
      open: { file: 'fs/btrfs/file.c', line: 12 },
    });
    assert.deepEqual(parseGraphMessage({ export: 'dot' }), { export: 'dot' });
    for (const bad of [
      { open: '../../etc/passwd#L1' },
      { open: 'fs/../../x.c#L1' },
      { open: '/etc/passwd#L1' },
      { open: 'C:\\x.c#L1' },
      { open: 'fs/./x.c#L1' },
      { open: 'fs/x.c' },
      { open: 'fs/x.c#L1e3' },
      { open: 42 },
      { export: 'html' },
      null,
      'open',
      {},
    ])
      assert.equal(parseGraphMessage(bad), undefined, JSON.stringify(bad));
  });

  test('theme colours, not a white box: the SVG is drawn with VS Code theme variables', () => {
    const page = graphPage(
      'h',
      'l',
      '<svg viewBox="0 0 10 10"><g class="graph"><polygon fill="white"/></g></svg>',
      'x',
    );
    assert.doesNotMatch(page, /background:\s*white/);
    for (const v of ['--vscode-editor-background', '--vscode-editor-foreground', '--vscode-errorForeground'])
      assert.ok(page.includes(`var(${v}`), v);
    // Graphviz's black text and strokes, and its red finding paths, are overridden by the theme
    assert.match(page, /\.graph svg text \{ fill: var\(--vscode-editor-foreground\)/);
    assert.match(page, /path\[stroke="red"\][^{]*\{ stroke: var\(--vscode-errorForeground\)/);
    // the graph fills the panel below the toolbar
    assert.match(page, /\.graph \{ flex: 1 1 auto; min-height: 0;/);
  });

  test("zoom, pan and search controls, wired by the one nonce'd script (no inline handlers)", () => {
    const page = graphPage('h', 'l', '<svg viewBox="0 0 10 10"></svg>', 'x');
    for (const z of ['in', 'out', 'fit']) assert.ok(page.includes(`data-zoom="${z}"`), z);
    assert.match(page, /<input id="search" type="search"/);
    assert.match(page, /addEventListener\('wheel'/);
    assert.match(page, /addEventListener\('pointermove'/);
    assert.equal((page.match(/<script/g) ?? []).length, 1);
    assert.doesNotMatch(page, / on[a-z]+=/i, 'no inline event handlers');
    assert.doesNotMatch(page, / style="/, "no inline style attributes (the CSP allows only the nonce'd sheet)");
  });
});
