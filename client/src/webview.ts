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

/**
 * The page's colours: VS Code's theme variables, so the graph is drawn in the editor's colours in a light, dark or
 * high-contrast theme. Graphviz writes black strokes and text, white or transparent fills and red for finding
 * paths as presentation attributes, which any CSS rule overrides.
 */
const THEME_CSS = `
html, body { height: 100%; margin: 0; padding: 0; }
body { display: flex; flex-direction: column; font-family: var(--vscode-font-family);
  font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); }
header { padding: 6px 12px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
h2 { margin: 0 0 2px; font-size: 1.15em; }
p { margin: 2px 0; }
.bar { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin-top: 4px; }
.bar .gap { flex: 1 1 auto; }
button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground);
  border: 1px solid var(--vscode-button-border, transparent); padding: 2px 8px; cursor: pointer; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
input { color: var(--vscode-input-foreground); background: var(--vscode-input-background);
  border: 1px solid var(--vscode-input-border, transparent); padding: 2px 4px; width: 16em; }
input:focus, button:focus { outline: 1px solid var(--vscode-focusBorder); }
#count { min-width: 4em; color: var(--vscode-descriptionForeground); }
.graph { flex: 1 1 auto; min-height: 0; overflow: hidden; cursor: grab; }
.graph.panning { cursor: grabbing; }
.graph svg { width: 100%; height: 100%; display: block; user-select: none; }
.graph svg text { fill: var(--vscode-editor-foreground); }
.graph svg g.graph > polygon { fill: none; stroke: none; }
.graph svg g.node polygon, .graph svg g.node path, .graph svg g.node ellipse {
  fill: var(--vscode-editorWidget-background, var(--vscode-editor-background));
  stroke: var(--vscode-editor-foreground); }
.graph svg g.edge path { stroke: var(--vscode-editorLineNumber-foreground, var(--vscode-editor-foreground)); }
.graph svg g.edge polygon { fill: var(--vscode-editorLineNumber-foreground, var(--vscode-editor-foreground));
  stroke: var(--vscode-editorLineNumber-foreground, var(--vscode-editor-foreground)); }
.graph svg g.edge path[stroke="red"], .graph svg g.node polygon[stroke="red"] { stroke: var(--vscode-errorForeground); }
.graph svg g.edge polygon[stroke="red"] { fill: var(--vscode-errorForeground); stroke: var(--vscode-errorForeground); }
.graph svg g.node.match polygon, .graph svg g.node.match path { stroke: var(--vscode-focusBorder); stroke-width: 3; }
.graph svg g.node.current polygon { fill: var(--vscode-editor-findMatchHighlightBackground); }
.graph svg.searching g.node:not(.match), .graph svg.searching g.edge { opacity: 0.35; }
.graph svg a { cursor: pointer; }
`;

/**
 * Zoom, pan and search, in a few lines of the page's one script: the SVG's viewBox is the camera (so text stays
 * sharp at any zoom), the wheel and the +/− buttons zoom about a point, a drag pans, Fit shows it all, and the
 * search box marks the boxes whose text contains what is typed (Enter goes to the next one). A library such as
 * svg-pan-zoom would have to be shipped as a second script file under `localResourceRoots`; this page loads
 * nothing but its one nonce'd script, and the search (which no such library has) needs the same camera anyway.
 */
const VIEW_SCRIPT = `
const host = document.getElementById('graph');
const svg = host.querySelector('svg');
if (svg) {
  const vb0 = (svg.getAttribute('viewBox') || '').split(/[ ,]+/).map(Number);
  const fit = vb0.length === 4 && vb0.every(Number.isFinite) && vb0[2] > 0 && vb0[3] > 0
    ? { x: vb0[0], y: vb0[1], w: vb0[2], h: vb0[3] }
    : (({ x, y, width, height }) => ({ x, y, w: width, h: height }))(svg.getBBox());
  let vb = { ...fit };
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  const apply = () => svg.setAttribute('viewBox', [vb.x, vb.y, vb.w, vb.h].join(' '));
  // an element's box in the viewBox's coordinates (getBBox is in its own, under Graphviz's translate)
  const boxOf = (el) => {
    const b = el.getBBox();
    const own = el.getScreenCTM();
    const root = svg.getScreenCTM();
    if (!own || !root) return b;
    const m = root.inverse().multiply(own);
    const p = new DOMPoint(b.x, b.y).matrixTransform(m);
    const q = new DOMPoint(b.x + b.width, b.y + b.height).matrixTransform(m);
    return { x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), width: Math.abs(q.x - p.x), height: Math.abs(q.y - p.y) };
  };
  const toSvg = (cx, cy) => {
    const m = svg.getScreenCTM();
    if (!m) return { x: vb.x + vb.w / 2, y: vb.y + vb.h / 2 };
    const p = new DOMPoint(cx, cy).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };
  const zoom = (f, at) => {
    const r = host.getBoundingClientRect();
    const c = at || toSvg(r.left + r.width / 2, r.top + r.height / 2);
    const w = Math.min(Math.max(vb.w / f, fit.w / 50), fit.w * 4);
    const k = w / vb.w;
    vb = { x: c.x - (c.x - vb.x) * k, y: c.y - (c.y - vb.y) * k, w, h: vb.h * k };
    apply();
  };
  const centre = (box, minScale) => {
    const r = host.getBoundingClientRect();
    const scale = Math.max(minScale, r.width / vb.w);
    const w = r.width / scale, h = r.height / scale;
    vb = { x: box.x + box.width / 2 - w / 2, y: box.y + box.height / 2 - h / 2, w, h };
    apply();
  };
  // a graph too big to read whole starts at a readable scale on the function it is drawn from (the first box)
  const first = svg.querySelector('g.node');
  const r0 = host.getBoundingClientRect();
  if (first && r0.width > 0 && Math.min(r0.width / fit.w, r0.height / fit.h) < 0.6) {
    const b = boxOf(first);
    const k = 0.8;
    vb = { x: b.x - 8 / k, y: b.y + b.height / 2 - r0.height / k / 2, w: r0.width / k, h: r0.height / k };
    apply();
  }
  window.lockscopeZoom = { zoom, fit: () => { vb = { ...fit }; apply(); }, get: () => ({ ...vb }) };
  document.querySelectorAll('button[data-zoom]').forEach((b) => b.addEventListener('click', () => {
    const z = b.dataset.zoom;
    if (z === 'in') zoom(1.5);
    else if (z === 'out') zoom(1 / 1.5);
    else { vb = { ...fit }; apply(); }
  }));
  host.addEventListener('wheel', (e) => {
    e.preventDefault();
    zoom(Math.exp(-e.deltaY / 300), toSvg(e.clientX, e.clientY));
  }, { passive: false });
  let drag;
  let dragged = false;
  host.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vb: { ...vb }, k: vb.w / host.getBoundingClientRect().width };
    dragged = false;
  });
  host.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!dragged && Math.hypot(dx, dy) < 4) return;
    if (!dragged) { host.setPointerCapture(e.pointerId); host.classList.add('panning'); }
    dragged = true;
    vb = { ...drag.vb, x: drag.vb.x - dx * drag.k, y: drag.vb.y - dy * drag.k };
    apply();
  });
  const end = () => { drag = undefined; host.classList.remove('panning'); };
  host.addEventListener('pointerup', end);
  host.addEventListener('pointercancel', end);
  // a drag that ends on a link is not a click on it
  host.addEventListener('click', (e) => {
    if (!dragged) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    dragged = false;
  }, true);
  const search = document.getElementById('search');
  const count = document.getElementById('count');
  const nodes = [...svg.querySelectorAll('g.node')];
  // what a box says (its <title> is Graphviz's node id, not text a person sees)
  const said = (n) => [...n.querySelectorAll('text')].map((t) => t.textContent).join(' ').toLowerCase();
  let matches = [];
  let at = -1;
  const go = () => {
    nodes.forEach((n) => n.classList.remove('current'));
    if (!matches.length) return;
    const n = matches[at];
    n.classList.add('current');
    centre(boxOf(n), Math.max(1, host.getBoundingClientRect().width / vb.w));
    count.textContent = (at + 1) + '/' + matches.length;
  };
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    matches = q ? nodes.filter((n) => said(n).includes(q)) : [];
    nodes.forEach((n) => n.classList.toggle('match', matches.includes(n)));
    svg.classList.toggle('searching', !!q);
    at = matches.length ? 0 : -1;
    count.textContent = q ? (matches.length ? '1/' + matches.length : 'none') : '';
    if (matches.length) go();
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && matches.length) {
      at = (at + (e.shiftKey ? matches.length - 1 : 1)) % matches.length;
      go();
    }
    if (e.key === 'Escape') { search.value = ''; search.dispatchEvent(new Event('input')); }
  });
  document.addEventListener('keydown', (e) => {
    if (e.target === search) return;
    if (e.key === '/' || (e.key === 'f' && (e.ctrlKey || e.metaKey))) { e.preventDefault(); search.focus(); }
    else if (e.key === '+' || e.key === '=') zoom(1.5);
    else if (e.key === '-') zoom(1 / 1.5);
    else if (e.key === '0') { vb = { ...fit }; apply(); }
  });
}
`;

export function graphPage(heading: string, legend: string, svg: string, cspSource: string): string {
  const nonce = randomBytes(18).toString('base64');
  const csp =
    `default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; ` +
    `script-src 'nonce-${nonce}'; font-src ${cspSource};`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp.replace(/"/g, '')}">
<style nonce="${nonce}">${THEME_CSS}</style></head><body>
<header>
<h2>${escapeHtml(heading)}</h2>
<p>${escapeHtml(legend)}</p>
<div class="bar" role="toolbar">
<input id="search" type="search" placeholder="Find a function or lock (/)" aria-label="Find in the graph">\
<span id="count" aria-live="polite"></span>\
<button data-zoom="in" title="Zoom in (+)" aria-label="Zoom in">+</button>\
<button data-zoom="out" title="Zoom out (-)" aria-label="Zoom out">−</button>\
<button data-zoom="fit" title="Fit the graph to the panel (0)">Fit</button>\
<span class="gap"></span><span>Export</span>\
<button data-export="svg" title="Export SVG">SVG</button><button data-export="dot" title="Export DOT">DOT</button>\
<button data-export="md" title="Export Markdown">Markdown</button></div>
</header>
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
${VIEW_SCRIPT}
</script></body></html>`;
}
