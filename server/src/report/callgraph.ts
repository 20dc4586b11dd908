/**
 * `lockscope report <function> [--depth N] [--format svg|dot|md]`: the call graph below a function,
 * through ops tables, with the locks held at each call on the edges, the locks each function takes
 * inside on the nodes, and the calls on finding paths drawn red. DOT is rendered to SVG with Graphviz
 * (@viz-js/viz, WASM).
 */
import { mdCode, mdText } from './markdown';
import { TreeView, type TreeIndex } from '../engine';
import type { LinkFn } from '../engine/link';
import { type Finding, renderMessage } from '../engine/model';

export interface CallGraph {
  root: LinkFn;
  nodes: { fn: LinkFn; depth: number; takes: string[] }[];
  edges: { from: number; to: number; via?: string; held: string[]; onPath: boolean }[];
  findings: Finding[];
}

/** The graph below `name` (or `file:name`) to `depth` calls. */
export function callGraph(index: TreeIndex, findings: Finding[], name: string, depth: number): CallGraph | undefined {
  const ext = new TreeView(index);
  const [file, fn] = name.includes(':') ? name.split(':') : [undefined, name];
  const start = index.fns.find((f) => f.name === fn && (!file || f.file === file));
  if (!start) return undefined;
  const seen = new Map<number, number>([[start.id, 0]]);
  const edges: CallGraph['edges'] = [];
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
      if (!seen.has(callee.id) && seen.size < 200) {
        seen.set(callee.id, d + 1);
        queue.push(callee.id);
      }
    }
  }
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
  const nodes = [...seen].map(([id, d]) => ({
    fn: index.fns[id],
    depth: d,
    takes: (index.summaries[id]?.acquires ?? []).map((a) => a.ref.class ?? a.ref.display).slice(0, 4),
  }));
  return { root: start, nodes, edges, findings: related };
}

/** A DOT string literal; line breaks become DOT's `\n`. */
export const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function toDot(g: CallGraph): string {
  const lines = [
    'digraph lockscope {',
    '  rankdir=LR;',
    '  node [shape=box, fontname="monospace", fontsize=10];',
    '  edge [fontname="monospace", fontsize=9];',
  ];
  for (const n of g.nodes) {
    const label = [n.fn.name, n.fn.file, ...n.takes.map((t) => `takes ${t}`)].join('\n');
    lines.push(
      `  n${n.fn.id} [label=${dotString(label)}${n.fn.id === g.root.id ? ', style=bold' : ''}, ` +
        `URL=${dotString(`${n.fn.file}#L${n.fn.line ?? 1}`)}];`,
    );
  }
  for (const e of g.edges) {
    const label = [e.via, e.held.length ? `holds ${e.held.join(', ')}` : ''].filter(Boolean).join('\n');
    lines.push(`  n${e.from} -> n${e.to} [label=${dotString(label)}${e.onPath ? ', color=red, penwidth=2' : ''}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function toMarkdown(g: CallGraph): string {
  const byId = new Map(g.nodes.map((n) => [n.fn.id, n.fn]));
  const out = [
    `# Call graph of ${mdCode(`${g.root.name}()`)} (${mdText(g.root.file)})`,
    '',
    '| caller | callee | through | locks held at the call | on a finding path |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const e of g.edges) {
    const to = byId.get(e.to);
    out.push(
      `| ${mdCode(byId.get(e.from)?.name ?? '?')} | ${mdCode(to?.name ?? '?')} (${mdText(to?.file ?? '')}) ` +
        `| ${mdText(e.via ?? '')} | ${e.held.map(mdCode).join(', ')} | ${e.onPath ? 'yes' : ''} |`,
    );
  }
  out.push('', '## Locks taken inside', '');
  for (const n of g.nodes) if (n.takes.length) out.push(`- ${mdCode(n.fn.name)}: ${n.takes.map(mdCode).join(', ')}`);
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
