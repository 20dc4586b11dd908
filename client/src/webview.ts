/**
 * The graph webview's page and its messages, without the vscode API (so tests can check them): a strict
 * Content-Security-Policy (nothing remote, one nonce'd script and style, no inline handlers), every text
 * from the tree escaped, and the page's messages validated before the extension acts on them — a graph
 * drawn from an untrusted tree can name any file, so "open" accepts only a tree-relative path inside it.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

export type GraphMessage = { open: { file: string; line: number } } | { export: 'svg' | 'dot' | 'md' };

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A message from the page, or undefined when it is not one the extension sends. */
export function parseGraphMessage(m: unknown): GraphMessage | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const o = m as Record<string, unknown>;
  if (o.export === 'svg' || o.export === 'dot' || o.export === 'md') return { export: o.export };
  if (typeof o.open !== 'string' || o.open.length > 4096) return undefined;
  const hit = /^([^#\0]+)#L(\d{1,9})$/.exec(o.open);
  if (!hit) return undefined;
  const file = hit[1].replace(/\\/g, '/');
  // tree-relative, normalised, never leaving the tree
  if (
    file.startsWith('/') ||
    /^[A-Za-z]:/.test(file) ||
    path.posix.normalize(file) !== file ||
    file.split('/').includes('..')
  )
    return undefined;
  return { open: { file, line: Number(hit[2]) } };
}

export function graphPage(heading: string, legend: string, svg: string, cspSource: string): string {
  const nonce = randomBytes(18).toString('base64');
  const csp =
    `default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; ` +
    `script-src 'nonce-${nonce}'; font-src ${cspSource};`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp.replace(/"/g, '')}">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
.graph { overflow: auto; }
.graph svg { background: white; }
button { margin-right: .5em; }
</style></head><body>
<h2>${escapeHtml(heading)}</h2>
<p>${escapeHtml(legend)}</p>
<p><button data-export="svg">Export SVG</button><button data-export="dot">Export DOT</button>\
<button data-export="md">Export Markdown</button></p>
<div class="graph" id="graph">${svg.replace(/^[\s\S]*?<svg/, '<svg')}</div>
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.querySelectorAll('button[data-export]').forEach((b) => b.addEventListener('click', \
() => vscode.postMessage({ export: b.dataset.export })));
document.querySelectorAll('#graph a').forEach((a) => a.addEventListener('click', (e) => {
  e.preventDefault();
  const href = a.getAttribute('xlink:href') || a.getAttribute('href');
  if (href) vscode.postMessage({ open: href });
}));
</script></body></html>`;
}
