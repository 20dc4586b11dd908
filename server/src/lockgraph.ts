/**
 * The lock-order graph report (`lockscope report --lock-order`, and the editor's Show Lock-Order Graph):
 * lock classes as nodes, an edge A -> B wherever B was taken while A was held, each with its shortest
 * witness (function, file:line, and the call path), and every edge that lies on a cycle drawn red.
 * Cycles are found as strongly connected components, so three-lock cycles show as well as ABBA pairs.
 */
import type { OrderWitness } from './engine/lockorder';

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

/** Tarjan's SCCs over class names. */
function cyclesOf(edges: OrderWitness[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    if (!adj.has(e.from)) adj.set(e.from, []);
    if (!adj.has(e.to)) adj.set(e.to, []);
    adj.get(e.from)!.push(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let n = 0;
  // iterative, so a long chain of classes cannot overflow the JS stack
  for (const start of [...adj.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { v: string; i: number }[] = [{ v: start, i: 0 }];
    index.set(start, n); low.set(start, n); n++; stack.push(start); on.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const next = adj.get(top.v)!;
      if (top.i < next.length) {
        const w = next[top.i++];
        if (!index.has(w)) {
          index.set(w, n); low.set(w, n); n++; stack.push(w); on.add(w);
          work.push({ v: w, i: 0 });
        } else if (on.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) { const p = work[work.length - 1].v; low.set(p, Math.min(low.get(p)!, low.get(top.v)!)); }
      if (low.get(top.v) === index.get(top.v)) {
        const comp: string[] = [];
        let w: string;
        do { w = stack.pop()!; on.delete(w); comp.push(w); } while (w !== top.v);
        if (comp.length > 1) out.push(comp.sort());
      }
    }
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

export function lockOrderGraph(witnesses: OrderWitness[], opts: LockOrderOptions = {}): LockOrderGraph {
  const cycles = cyclesOf(witnesses);
  const compOf = new Map<string, number>();
  cycles.forEach((c, i) => { for (const k of c) compOf.set(k, i); });
  const inCycle = (w: OrderWitness) => compOf.has(w.from) && compOf.get(w.from) === compOf.get(w.to);
  let edges = witnesses.map((w) => ({ ...w, inCycle: inCycle(w) }));
  const total = edges.length;
  if (opts.classFilter?.length) edges = edges.filter((e) => opts.classFilter!.some((f) => e.from.includes(f) || e.to.includes(f)));
  if (opts.cyclesOnly) edges = edges.filter((e) => e.inCycle);
  const max = opts.maxEdges ?? 400;
  if (edges.length > max) edges = [...edges.filter((e) => e.inCycle), ...edges.filter((e) => !e.inCycle)].slice(0, max);
  const classes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const shown = new Set(classes);
  return { classes, edges, cycles: cycles.filter((c) => c.some((k) => shown.has(k))), omitted: total - edges.length };
}

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function lockOrderDot(g: LockOrderGraph): string {
  const id = new Map(g.classes.map((c, i) => [c, `c${i}`]));
  const cyc = new Set(g.cycles.flat());
  const lines = ['digraph lockorder {', '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="monospace", fontsize=10];', '  edge [fontname="monospace", fontsize=9];'];
  for (const c of g.classes) lines.push(`  ${id.get(c)} [label=${q(c)}${cyc.has(c) ? ', color=red, penwidth=2' : ''}];`);
  for (const e of g.edges) {
    const label = `${e.fn}()\\n${e.file}:${e.line}`;
    lines.push(`  ${id.get(e.from)} -> ${id.get(e.to)} [label=${q(label).replace(/\\\\n/g, '\\n')}, URL=${q(`${e.file}#L${e.line}`)}${e.inCycle ? ', color=red, penwidth=2' : ''}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function lockOrderMarkdown(g: LockOrderGraph): string {
  const out = ['# Lock-order graph', '',
    `${g.classes.length} lock classes, ${g.edges.length} order edge${g.edges.length === 1 ? '' : 's'}, ${g.cycles.length} cycle${g.cycles.length === 1 ? '' : 's'}`
    + `${g.omitted ? ` (${g.omitted} more edge${g.omitted === 1 ? '' : 's'} left out by the filters or the size cap)` : ''}.`, ''];
  if (g.cycles.length) {
    out.push('## Cycles', '');
    for (const c of g.cycles) out.push(`- ${c.map((k) => `\`${k}\``).join(' ⇄ ')}`);
    out.push('');
  }
  out.push('## Edges (held → taken)', '', '| held | taken | where | on a cycle |', '| --- | --- | --- | --- |');
  for (const e of g.edges) out.push(`| \`${e.from}\` | \`${e.to}\` | \`${e.fn}()\` ${e.file}:${e.line} | ${e.inCycle ? 'yes' : ''} |`);
  const cyc = g.edges.filter((e) => e.inCycle);
  if (cyc.length) {
    out.push('', '## Witness paths of the cycle edges', '');
    for (const e of cyc) {
      out.push(`### \`${e.from}\` → \`${e.to}\``, '');
      for (const s of e.path) out.push(`1. ${s.file}:${s.line} \`${s.function}()\`: ${s.note}`);
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}
