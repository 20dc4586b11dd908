/**
 * `lockscope report <function> [--depth N] [--format svg|dot|md]`: the call graph below a function,
 * through ops tables, with the locks held at each call on the edges, the locks each function takes
 * inside on the nodes, and the calls on finding paths drawn red. DOT is rendered to SVG with Graphviz
 * (@viz-js/viz, WASM). To stay readable: trivial leaves and debug-only callees are folded into their caller's
 * box (fold.ts), debug-only locks are left out (debugonly.ts), an edge says which locks are held only where
 * its caller took them (and a caller making most of its calls under the same locks says so once, in its box,
 * its edges under them drawn bold); the Markdown table gives every call's file:line.
 */
import { mdCode, mdText } from './markdown';
import { TreeView, type TreeIndex } from '../engine';
import type { LinkFn } from '../engine/link';
import { type Finding, renderMessage } from '../engine/model';
import { DebugOnly, debugOnlyLocks } from './debugonly';
import { type FoldReason, Folder } from './fold';
import { type TreeReader, callSiteLine } from './source';

export interface CallGraphOptions {
  /** Reads the tree's sources and build files (call-site lines, debug-only code); without it, neither. */
  read?: TreeReader;
  /** Draw trivial leaves and debug-only callees too (`--all-calls`). */
  allCalls?: boolean;
  /** Show debug-only locks too (`--all-locks`). */
  allLocks?: boolean;
}

export interface CallGraph {
  root: LinkFn;
  /** `folded`: the calls drawn inside this box instead of as boxes of their own (fold.ts). */
  nodes: { fn: LinkFn; depth: number; takes: string[]; folded: { name: string; why: FoldReason }[] }[];
  /** `line`: where the caller makes the call, when its text shows it. */
  edges: { from: number; to: number; via?: string; held: string[]; onPath: boolean; line?: number }[];
  findings: Finding[];
  /** Debug-only locks left out of `takes` and `held` (debugonly.ts). */
  hiddenLocks: string[];
}

/** At most this many functions in a graph. */
const MAX_NODES = 200;

/** The graph below `name` (or `file:name`) to `depth` calls. */
export function callGraph(
  index: TreeIndex,
  findings: Finding[],
  name: string,
  depth: number,
  opts: CallGraphOptions = {},
): CallGraph | undefined {
  const ext = new TreeView(index);
  const [file, fn] = name.includes(':') ? name.split(':') : [undefined, name];
  const start = index.fns.find((f) => f.name === fn && (!file || f.file === file));
  if (!start) return undefined;
  const seen = new Map<number, number>([[start.id, 0]]);
  let edges: CallGraph['edges'] = [];
  const queue = [start.id];
  while (queue.length) {
    const id = queue.shift()!;
    const d = seen.get(id)!;
    if (d >= depth) continue;
    // indirect calls ranked for the function the graph is drawn from, `d` calls below it (as checking it does)
    for (const { callee, via } of ext.outgoing(id, { entry: start.id, hops: d })) {
      const held =
        (index.callersHold[callee.id] ?? []).find(
          (h) => h.caller === index.fns[id].name && h.file === index.fns[id].file,
        )?.held ?? [];
      if (!edges.some((e) => e.from === id && e.to === callee.id))
        edges.push({ from: id, to: callee.id, via, held, onPath: false });
      if (!seen.has(callee.id) && seen.size < MAX_NODES) {
        seen.set(callee.id, d + 1);
        queue.push(callee.id);
      }
    }
  }
  edges = edges.filter((e) => seen.has(e.to));
  // findings whose path runs through the graph: mark the calls along them
  const names = new Set([...seen.keys()].map((id) => index.fns[id].name));
  const related = findings.filter((f) => names.has(f.function));
  for (const f of related) {
    const hops = f.path.map((s) => s.function).filter((x, i, a) => x !== a[i - 1]);
    for (let i = 0; i + 1 < hops.length; i++) {
      for (const e of edges)
        if (index.fns[e.from].name === hops[i] && index.fns[e.to].name === hops[i + 1]) e.onPath = true;
    }
  }
  const debug = opts.read ? new DebugOnly(opts.read) : undefined;
  const folded = opts.allCalls ? new Map() : fold(ext, new Folder(ext, debug), start.id, seen, edges);
  edges = edges.filter((e) => seen.has(e.from) && seen.has(e.to));
  let nodes = [...seen].map(([id, d]) => ({
    fn: index.fns[id],
    depth: d,
    takes: [...new Set((index.summaries[id]?.acquires ?? []).map((a) => a.ref.class ?? a.ref.display))],
    folded: folded.get(id) ?? [],
  }));
  // debug-only locks: out of the boxes and off the edges
  let hiddenLocks: string[] = [];
  if (debug && !opts.allLocks) {
    const hide = debugOnlyLocks(index, debug, [...nodes.flatMap((n) => n.takes), ...edges.flatMap((e) => e.held)]);
    hiddenLocks = [...hide].sort();
    nodes = nodes.map((n) => ({ ...n, takes: n.takes.filter((t) => !hide.has(t)) }));
    edges = edges.map((e) => ({ ...e, held: e.held.filter((h) => !hide.has(h)) }));
  }
  nodes = nodes.map((n) => ({ ...n, takes: n.takes.slice(0, 4) }));
  if (opts.read) {
    const read = opts.read;
    for (const e of edges) e.line = callSiteLine(read, index.fns[e.from], index.fns[e.to].name, e.via);
  }
  return { root: start, nodes, edges, findings: related, hiddenLocks };
}

/**
 * Fold trivial leaves and debug-only callees into their callers (never the root, nothing on a finding's path):
 * takes them out of `seen` (with what is reachable only through them) and says, per caller, what was folded.
 */
function fold(
  ext: TreeView,
  folder: Folder,
  root: number,
  seen: Map<number, number>,
  edges: CallGraph['edges'],
): Map<number, { name: string; why: FoldReason }[]> {
  const folded = new Map<number, { name: string; why: FoldReason }[]>();
  const onPath = new Set(edges.filter((e) => e.onPath).flatMap((e) => [e.from, e.to]));
  const gone = new Set<number>();
  for (const id of seen.keys()) if (id !== root && !onPath.has(id) && folder.reason(id)) gone.add(id);
  for (const e of edges) {
    if (!gone.has(e.to) || gone.has(e.from)) continue;
    const list = folded.get(e.from) ?? [];
    list.push({ name: ext.data.fns[e.to].name, why: folder.reason(e.to)! });
    folded.set(e.from, list);
  }
  const kept = edges.filter((e) => !gone.has(e.from) && !gone.has(e.to));
  // what is left reachable from the root (a box reached only through folded ones goes with them)
  const reach = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const e of kept)
      if (reach.has(e.from) && !reach.has(e.to)) {
        reach.add(e.to);
        grew = true;
      }
  }
  for (const id of [...seen.keys()]) if (!reach.has(id)) seen.delete(id);
  return folded;
}

/** A DOT string literal; line breaks become DOT's `\n`. */
export const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/**
 * The fonts of every graph: ones Graphviz has metrics for (it sizes each box from the font's widths; for a
 * name it does not know, such as `monospace`, it guesses Times' narrower widths and the text overflows its box).
 * The background is left transparent so a viewer's theme shows through (the webview colours the rest).
 */
export const DOT_STYLE = [
  '  bgcolor="transparent";',
  '  node [fontname="Courier", fontsize=10];',
  '  edge [fontname="Courier", fontsize=9];',
];

/**
 * What each edge says it holds: the locks its caller holds at the call that were not already held where the
 * graph first reaches the caller (the held sets the index keeps are the caller's own, so a lock taken at the top
 * is said once, on the call made under it, not on every edge below).
 */
export function newlyHeld(g: CallGraph): string[][] {
  const inherited = new Map<number, string[]>([[g.root.id, []]]);
  for (const n of [...g.nodes].sort((a, b) => a.depth - b.depth))
    for (const e of g.edges)
      if (e.from === n.fn.id && inherited.has(e.from) && !inherited.has(e.to))
        inherited.set(e.to, [...new Set([...inherited.get(e.from)!, ...e.held])]);
  return g.edges.map((e) => e.held.filter((h) => !(inherited.get(e.from) ?? []).includes(h)));
}

/** What a box says of the calls folded into it: the names, a few at most. */
function foldedText(folded: { name: string; why: FoldReason }[]): string[] {
  const out: string[] = [];
  for (const why of ['trivial', 'debug-only'] as const) {
    const names = [...new Set(folded.filter((f) => f.why === why).map((f) => f.name))];
    if (!names.length) continue;
    const shown = names.slice(0, 3).join(', ');
    out.push(`+ ${why}: ${shown}${names.length > 3 ? ` +${names.length - 3}` : ''}`);
  }
  return out;
}

/**
 * Per caller, the locks most of its calls are made under (two calls or more), said once in its box instead of on
 * each edge (`btrfs_buffered_write` makes twenty calls under the inode lock): caller id -> the locks' text.
 */
function commonHeld(g: CallGraph, holds: string[][]): Map<number, { text: string; calls: number }> {
  const counts = new Map<number, Map<string, number>>();
  g.edges.forEach((e, i) => {
    if (!holds[i].length) return;
    const m = counts.get(e.from) ?? new Map<string, number>();
    const text = holds[i].join(', ');
    m.set(text, (m.get(text) ?? 0) + 1);
    counts.set(e.from, m);
  });
  const out = new Map<number, { text: string; calls: number }>();
  for (const [from, m] of counts) {
    const [text, calls] = [...m].sort((a, b) => b[1] - a[1])[0];
    if (calls >= 2) out.set(from, { text, calls });
  }
  return out;
}

export function toDot(g: CallGraph): string {
  const lines = ['digraph lockscope {', '  rankdir=LR;', ...DOT_STYLE, '  node [shape=box];'];
  const holds = newlyHeld(g);
  const common = commonHeld(g, holds);
  for (const n of g.nodes) {
    const under = common.get(n.fn.id);
    const label = [
      n.fn.name,
      n.fn.file,
      ...n.takes.map((t) => `takes ${t}`),
      ...(under ? [`${under.calls} calls (bold) under ${under.text}`] : []),
      ...foldedText(n.folded),
    ].join('\n');
    lines.push(
      `  n${n.fn.id} [label=${dotString(label)}${n.fn.id === g.root.id ? ', style=bold' : ''}, ` +
        `URL=${dotString(`${n.fn.file}#L${n.fn.line ?? 1}`)}];`,
    );
  }
  g.edges.forEach((e, i) => {
    const said = holds[i].join(', ');
    const inBox = !!said && common.get(e.from)?.text === said;
    const label = [e.via, said && !inBox ? `holds ${said}` : ''].filter(Boolean).join('\n');
    const style = `${inBox ? ', style=bold' : ''}${e.onPath ? ', color=red, penwidth=2' : ''}`;
    lines.push(`  n${e.from} -> n${e.to} [label=${dotString(label)}${style}];`);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function toMarkdown(g: CallGraph): string {
  const byId = new Map(g.nodes.map((n) => [n.fn.id, n.fn]));
  const out = [
    `# Call graph of ${mdCode(`${g.root.name}()`)} (${mdText(g.root.file)})`,
    '',
    '| caller | callee | call site | through | locks held at the call | on a finding path |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const e of g.edges) {
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    const site = from ? mdText(e.line ? `${from.file}:${e.line}` : from.file) : '';
    out.push(
      `| ${mdCode(from?.name ?? '?')} | ${mdCode(to?.name ?? '?')} (${mdText(to?.file ?? '')}) | ${site} ` +
        `| ${mdText(e.via ?? '')} | ${e.held.map(mdCode).join(', ')} | ${e.onPath ? 'yes' : ''} |`,
    );
  }
  out.push('', '## Locks taken inside', '');
  for (const n of g.nodes) if (n.takes.length) out.push(`- ${mdCode(n.fn.name)}: ${n.takes.map(mdCode).join(', ')}`);
  const folded = g.nodes.filter((n) => n.folded.length);
  if (folded.length) {
    out.push('', '## Calls folded into their caller (trivial leaves, debug-only code; `--all-calls` draws them)', '');
    for (const n of folded)
      out.push(`- ${mdCode(n.fn.name)}: ${n.folded.map((f) => `${mdCode(f.name)} (${f.why})`).join(', ')}`);
  }
  if (g.hiddenLocks.length)
    out.push('', `Debug-only locks left out (\`--all-locks\` shows them): ${g.hiddenLocks.map(mdCode).join(', ')}.`);
  if (g.findings.length) {
    out.push('', '## Findings', '');
    for (const f of g.findings) out.push(`- ${mdText(`${f.file}:${f.line}: ${renderMessage(f)} [${f.kind}]`)}`);
  }
  return `${out.join('\n')}\n`;
}

export async function toSvg(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  return viz.renderString(dot, { format: 'svg', engine: 'dot' });
}
