/**
 * The cycles of the lock-order graph worth reporting, as lockdep reports them: for a pair of classes taken in
 * both orders, the two edges (each with its shortest witness); for a longer cycle, the shortest cycle through
 * an edge that lies on no shorter one reported, never a strongly connected component (which on a real tree
 * strings a hundred classes together). Greedy: each edge is explained by at most one cycle.
 */

/** An edge of the graph: held -> taken. */
export interface ClassEdge {
  from: string;
  to: string;
}

/** A cycle: `edges[i]` goes from `classes[i]` to `classes[(i + 1) % n]`. */
export interface OrderCycle<E extends ClassEdge> {
  classes: string[];
  edges: E[];
}

/** Longer cycles are not searched for (the shortest one through an edge is longer than this, or none). */
export const MAX_CYCLE = 4;

/** The cycles to report, pairs first, then longer ones by length; deterministic for a given edge set. */
export function orderCycles<E extends ClassEdge>(edges: readonly E[]): OrderCycle<E>[] {
  const out = new Map<string, OrderCycle<E>>();
  const adj = new Map<string, Map<string, E>>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    let m = adj.get(e.from);
    if (!m) adj.set(e.from, (m = new Map()));
    if (!m.has(e.to)) m.set(e.to, e);
  }
  const sorted = [...adj.keys()].sort();
  const next = new Map<string, string[]>();
  for (const k of sorted) next.set(k, [...adj.get(k)!.keys()].sort());
  const covered = new Set<string>();
  const ek = (a: string, b: string) => `${a}\u0000${b}`;
  // pairs: both orders seen
  for (const a of sorted) {
    for (const b of next.get(a)!) {
      if (a < b && adj.get(b)?.has(a)) {
        out.set(ek(a, b), { classes: [a, b], edges: [adj.get(a)!.get(b)!, adj.get(b)!.get(a)!] });
        covered.add(ek(a, b));
        covered.add(ek(b, a));
      }
    }
  }
  // longer cycles: the shortest one back from each edge not explained yet, shortest first
  const longer: string[][] = [];
  for (const a of sorted) {
    for (const b of next.get(a)!) {
      if (covered.has(ek(a, b))) continue;
      const back = shortestPath(b, a, next, MAX_CYCLE - 1);
      if (back && back.length >= 3) longer.push([a, ...back.slice(0, -1)]);
    }
  }
  longer.sort((x, y) => x.length - y.length || x.join('\u0000').localeCompare(y.join('\u0000')));
  for (const cyc of longer) {
    const pairs = cyc.map((c, i) => ek(c, cyc[(i + 1) % cyc.length]));
    if (pairs.every((p) => covered.has(p))) continue;
    const key = rotationKey(cyc);
    if (out.has(key)) continue;
    out.set(key, { classes: cyc, edges: cyc.map((c, i) => adj.get(c)!.get(cyc[(i + 1) % cyc.length])!) });
    for (const p of pairs) covered.add(p);
  }
  return [...out.values()].sort(
    (x, y) => x.classes.length - y.classes.length || x.classes.join('\u0000').localeCompare(y.classes.join('\u0000')),
  );
}

/** The same cycle from any start: rotated to its least class. */
function rotationKey(c: string[]): string {
  let best = 0;
  for (let i = 1; i < c.length; i++) if (c[i] < c[best]) best = i;
  return [...c.slice(best), ...c.slice(0, best)].join('\u0000');
}

/** The shortest path from `src` to `dst` (both included) of at most `max` edges, by breadth-first search. */
function shortestPath(
  src: string,
  dst: string,
  next: ReadonlyMap<string, string[]>,
  max: number,
): string[] | undefined {
  const prev = new Map<string, string>([[src, '']]);
  let frontier = [src];
  for (let depth = 0; depth < max && frontier.length; depth++) {
    const nextFrontier: string[] = [];
    for (const u of frontier) {
      for (const v of next.get(u) ?? []) {
        if (prev.has(v)) continue;
        prev.set(v, u);
        if (v === dst) {
          const path = [v];
          for (let x = u; x !== ''; x = prev.get(x)!) path.push(x);
          return path.reverse();
        }
        nextFrontier.push(v);
      }
    }
    frontier = nextFrontier;
  }
  return undefined;
}
