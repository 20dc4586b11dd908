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
});
