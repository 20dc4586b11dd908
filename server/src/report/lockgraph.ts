/**
 * The lock-order graph report (`lockscope report --lock-order`, and the editor's Show Lock-Order Graph):
 * lock classes as nodes, an edge A -> B wherever B was taken while A was held, each with its shortest
 * witness (function, file:line, and the call path), and every edge that lies on a cycle drawn red.
 * Cycles are found as strongly connected components, so three-lock cycles show as well as ABBA pairs.
 */
import { mdCode, mdText } from './markdown';
import { sccOrder } from '../engine';
import type { OrderWitness } from '../engine/checks';
import { dotString } from './callgraph';

export interface LockOrderGraph {
  classes: string[];
  edges: (OrderWitness & { inCycle: boolean })[];
  /** Each cycle's classes (a strongly connected component of two or more classes). */
  cycles: string[][];
  /** Edges left out by the filters or the size cap (said in the report, never silent). */
  omitted: number;
}

export interface LockOrderOptions {
  /** Keep only edges whose classes contain one of these substrings. */
  classFilter?: string[];
  /** Keep only edges on a cycle. */
  cyclesOnly?: boolean;
  /** At most this many edges (cycle edges first). */
  maxEdges?: number;
}

/** The cycles: strongly connected components of two or more classes (the engine's iterative Tarjan). */
function cyclesOf(edges: OrderWitness[]): string[][] {
  const names = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const id = new Map(names.map((n, i) => [n, i]));
  const adj: number[][] = names.map(() => []);
  for (const e of edges) adj[id.get(e.from)!].push(id.get(e.to)!);
  return sccOrder(names.length, adj)
    .filter((c) => c.length > 1)
    .map((c) => c.map((i) => names[i]).sort())
    .sort((x, y) => x[0].localeCompare(y[0]));
}

export function lockOrderGraph(witnesses: OrderWitness[], opts: LockOrderOptions = {}): LockOrderGraph {
  const cycles = cyclesOf(witnesses);
  const compOf = new Map<string, number>();
  cycles.forEach((c, i) => {
    for (const k of c) compOf.set(k, i);
  });
  const inCycle = (w: OrderWitness) => compOf.has(w.from) && compOf.get(w.from) === compOf.get(w.to);
  let edges = witnesses.map((w) => ({ ...w, inCycle: inCycle(w) }));
  const total = edges.length;
  if (opts.classFilter?.length)
    edges = edges.filter((e) => opts.classFilter!.some((f) => e.from.includes(f) || e.to.includes(f)));
  if (opts.cyclesOnly) edges = edges.filter((e) => e.inCycle);
  const max = opts.maxEdges ?? 400;
  if (edges.length > max) edges = [...edges.filter((e) => e.inCycle), ...edges.filter((e) => !e.inCycle)].slice(0, max);
  const classes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const shown = new Set(classes);
  return { classes, edges, cycles: cycles.filter((c) => c.some((k) => shown.has(k))), omitted: total - edges.length };
}

export function lockOrderDot(g: LockOrderGraph): string {
  const id = new Map(g.classes.map((c, i) => [c, `c${i}`]));
  const cyc = new Set(g.cycles.flat());
  const lines = [
    'digraph lockorder {',
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="monospace", fontsize=10];',
    '  edge [fontname="monospace", fontsize=9];',
  ];
  for (const c of g.classes)
    lines.push(`  ${id.get(c)} [label=${dotString(c)}${cyc.has(c) ? ', color=red, penwidth=2' : ''}];`);
  for (const e of g.edges) {
    const label = `${e.fn}()\n${e.file}:${e.line}`;
    lines.push(
      `  ${id.get(e.from)} -> ${id.get(e.to)} [label=${dotString(label)}, URL=${dotString(`${e.file}#L${e.line}`)}` +
        `${e.inCycle ? ', color=red, penwidth=2' : ''}];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function lockOrderMarkdown(g: LockOrderGraph): string {
  const omitted = g.omitted
    ? ` (${g.omitted} more edge${g.omitted === 1 ? '' : 's'} left out by the filters or the size cap)`
    : '';
  const out = [
    '# Lock-order graph',
    '',
    `${g.classes.length} lock classes, ${g.edges.length} order edge${g.edges.length === 1 ? '' : 's'}, ` +
      `${g.cycles.length} cycle${g.cycles.length === 1 ? '' : 's'}${omitted}.`,
    '',
  ];
  if (g.cycles.length) {
    out.push('## Cycles', '');
    for (const c of g.cycles) out.push(`- ${c.map(mdCode).join(' ⇄ ')}`);
    out.push('');
  }
  out.push('## Edges (held → taken)', '', '| held | taken | where | on a cycle |', '| --- | --- | --- | --- |');
  for (const e of g.edges)
    out.push(
      `| ${mdCode(e.from)} | ${mdCode(e.to)} | ${mdCode(`${e.fn}()`)} ${mdText(`${e.file}:${e.line}`)} ` +
        `| ${e.inCycle ? 'yes' : ''} |`,
    );
  const cyc = g.edges.filter((e) => e.inCycle);
  if (cyc.length) {
    out.push('', '## Witness paths of the cycle edges', '');
    for (const e of cyc) {
      out.push(`### ${mdCode(e.from)} → ${mdCode(e.to)}`, '');
      for (const s of e.path)
        out.push(`1. ${mdText(`${s.file}:${s.line}`)} ${mdCode(`${s.function}()`)}: ${mdText(s.note)}`);
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}
