/**
 * The lock-order graph report (`lockscope report --lock-order`, and the editor's Show Lock-Order Graph):
 * lock classes as nodes, an edge A -> B wherever B was taken while A was held, each with its shortest
 * witness (function, file:line, and the call path). Its inversions are the cycles lockdep would report (the
 * shortest cycle through each edge that closes one, never a strongly connected component), each in lockdep's
 * words: the chains with the places each lock is taken, and the CPU0/CPU1 scenario; only their edges are red.
 */
import { mdCode, mdText } from './markdown';
import {
  type OrderCycle,
  type OrderWitness,
  cycleConfidence,
  lockdepText,
  orderCycles,
  reportedCycle,
} from '../engine/checks';
import type { Confidence } from '../engine/model';
import { DOT_STYLE, dotString } from './callgraph';

/** An inversion as shown: its cycle (the reported edge first) and how sure it is. */
export interface ShownCycle extends OrderCycle<OrderWitness> {
  confidence: Confidence;
  doubts: string[];
}

export interface LockOrderGraph {
  classes: string[];
  edges: (OrderWitness & { inCycle: boolean })[];
  /** The inversions, each the shortest cycle of its classes (pairs first). */
  cycles: ShownCycle[];
  /** Edges left out by the filters or the size cap (said in the report, never silent). */
  omitted: number;
}

export interface LockOrderOptions {
  /** Keep only edges (and inversions) whose classes contain one of these substrings. */
  classFilter?: string[];
  /** Keep only edges on an inversion. */
  cyclesOnly?: boolean;
  /** At most this many edges (inversion edges first). */
  maxEdges?: number;
}

const edgeKey = (e: { from: string; to: string }) => `${e.from}\u0000${e.to}`;

export function lockOrderGraph(witnesses: OrderWitness[], opts: LockOrderOptions = {}): LockOrderGraph {
  const match = (c: string) => !opts.classFilter?.length || opts.classFilter.some((f) => c.includes(f));
  const cycles: ShownCycle[] = [];
  for (const c of orderCycles(witnesses)) {
    const r = reportedCycle(c);
    if (r && r.classes.some(match)) cycles.push({ ...r, ...cycleConfidence(r) });
  }
  const onCycle = new Set(cycles.flatMap((c) => c.edges.map(edgeKey)));
  let edges = witnesses.map((w) => ({ ...w, inCycle: onCycle.has(edgeKey(w)) }));
  const total = edges.length;
  if (opts.classFilter?.length) edges = edges.filter((e) => match(e.from) || match(e.to));
  if (opts.cyclesOnly) edges = edges.filter((e) => e.inCycle);
  const max = opts.maxEdges ?? 400;
  if (edges.length > max) edges = [...edges.filter((e) => e.inCycle), ...edges.filter((e) => !e.inCycle)].slice(0, max);
  const classes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  return { classes, edges, cycles, omitted: total - edges.length };
}

export function lockOrderDot(g: LockOrderGraph): string {
  const id = new Map(g.classes.map((c, i) => [c, `c${i}`]));
  const cyc = new Set(g.cycles.flatMap((c) => c.classes));
  const lines = ['digraph lockorder {', '  rankdir=LR;', ...DOT_STYLE, '  node [shape=box, style=rounded];'];
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
    out.push('## Inversions', '');
    g.cycles.forEach((c, i) => {
      out.push(`### ${i + 1}. ${[...c.classes, c.classes[0]].map(mdCode).join(' → ')}`, '');
      out.push(`${c.confidence} confidence${c.doubts.length ? `: ${mdText(c.doubts.join('; '))}` : ''}.`, '');
      // a fence longer than any run of backticks in the text
      const text = lockdepText(c);
      const fence = '`'.repeat(
        Math.max(3, ...text.map((l) => (l.match(/`+/g) ?? []).reduce((n, r) => Math.max(n, r.length + 1), 0))),
      );
      out.push(`${fence}text`, ...text, fence, '');
    });
  }
  out.push('## Edges (held → taken)', '', '| held | taken | where | on a cycle |', '| --- | --- | --- | --- |');
  for (const e of g.edges)
    out.push(
      `| ${mdCode(e.from)} | ${mdCode(e.to)} | ${mdCode(`${e.fn}()`)} ${mdText(`${e.file}:${e.line}`)} ` +
        `| ${e.inCycle ? 'yes' : ''} |`,
    );
  return `${out.join('\n')}\n`;
}
