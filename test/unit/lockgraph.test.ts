/** The lock-order graph: the shortest cycles lockdep would report (never a component), filters, the cap said aloud. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { LockOrder, type OrderWitness } from '../../server/src/engine/checks';
import { lockOrderGraph, lockOrderMarkdown } from '../../server/src/report/lockgraph';

const w = (from: string, to: string, line = 1): OrderWitness => ({
  from,
  to,
  held: from,
  taken: to,
  file: 'fs/x/a.c',
  fn: `f_${from}_${to}`,
  line,
  column: 1,
  path: [{ file: 'fs/x/a.c', line, column: 1, function: `f_${from}_${to}`, note: `takes ${to}` }],
});

test('a three-class cycle is found, and an edge into it is not on it', () => {
  const g = lockOrderGraph([w('A', 'B'), w('B', 'C'), w('C', 'A'), w('D', 'A')]);
  assert.deepEqual(
    g.cycles.map((c) => c.classes),
    [['A', 'B', 'C']],
  );
  assert.deepEqual(
    g.edges
      .filter((e) => e.inCycle)
      .map((e) => `${e.from}${e.to}`)
      .sort(),
    ['AB', 'BC', 'CA'],
  );
  assert.equal(g.edges.find((e) => e.from === 'D')?.inCycle, false);
});

test('two separate cycles stay separate', () => {
  const g = lockOrderGraph([w('A', 'B'), w('B', 'A'), w('C', 'D'), w('D', 'C'), w('B', 'C')]);
  assert.deepEqual(
    g.cycles.map((c) => c.classes),
    [
      ['A', 'B'],
      ['C', 'D'],
    ],
  );
  assert.equal(g.edges.find((e) => e.from === 'B' && e.to === 'C')?.inCycle, false);
});

test('filters and the cap: cycle edges are kept first, and what is left out is counted', () => {
  const edges = [w('A', 'B'), w('B', 'A'), w('X', 'Y'), w('Y', 'Z')];
  assert.equal(lockOrderGraph(edges, { cyclesOnly: true }).edges.length, 2);
  const capped = lockOrderGraph(edges, { maxEdges: 2 });
  assert.deepEqual(
    capped.edges.map((e) => e.inCycle),
    [true, true],
  );
  assert.equal(capped.omitted, 2);
  assert.match(lockOrderMarkdown(capped), /2 more edges left out/);
  const filtered = lockOrderGraph(edges, { classFilter: ['Y'] });
  assert.deepEqual(filtered.classes, ['X', 'Y', 'Z']);
  assert.deepEqual(filtered.cycles, []);
});

test('a long chain does not overflow the stack, and a cycle of 50,001 classes is not reported', () => {
  const chain = Array.from({ length: 50_000 }, (_, i) => w(`L${i}`, `L${i + 1}`));
  const g = lockOrderGraph([...chain, w('L50000', 'L0')], { maxEdges: 10 });
  assert.equal(g.cycles.length, 0);
});

test('a component of many classes is reported as its shortest cycles, never as one cycle of all of them', () => {
  // one component: A <-> B, a ring A -> C -> D -> A, and B -> C, which closes B -> C -> D -> A -> B; E -> A
  // hangs off it. Three inversions: the pair, the three-class ring, and the four-class cycle through B -> C
  // (the only edge the other two do not explain), none of them the whole component
  const edges = [w('A', 'B'), w('B', 'A'), w('A', 'C'), w('C', 'D'), w('D', 'A'), w('B', 'C'), w('E', 'A')];
  const g = lockOrderGraph(edges);
  assert.deepEqual(
    g.cycles.map((c) => c.classes),
    [
      ['A', 'B'],
      ['A', 'C', 'D'],
      ['B', 'C', 'D', 'A'],
    ],
  );
  assert.equal(g.edges.find((e) => e.from === 'E')?.inCycle, false);
  const md = lockOrderMarkdown(g);
  assert.match(md, /### 1\. `A` → `B` → `A`/);
  assert.match(md, /-> #1 \(A\):/);
  assert.match(md, /Possible unsafe locking scenario:/);
  assert.match(md, /Chain exists of:\n {3}A --> C --> D --> A/);
  assert.match(md, /a cycle of 3 lock classes/);
});

test('--class keeps the inversions of the classes it names', () => {
  const edges = [w('A', 'B'), w('B', 'A'), w('C', 'D'), w('D', 'C')];
  const g = lockOrderGraph(edges, { classFilter: ['D'] });
  assert.deepEqual(
    g.cycles.map((c) => c.classes),
    [['C', 'D']],
  );
});

test('cycles closed by the same acquisition are one finding: the shortest', () => {
  const order = new LockOrder();
  // A->B is the earliest site; two three-class cycles go through it (B->C->A and B->D->A), each adding an edge
  for (const e of [w('A', 'B', 1), w('B', 'C', 5), w('C', 'A', 6), w('B', 'D', 7), w('D', 'A', 8)]) order.add(e);
  const found = order.inversions(() => true);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.line)));
  assert.equal(found[0].line, 1);
  // a second acquisition closing a cycle elsewhere is its own finding
  order.add(w('E', 'F', 9));
  order.add(w('F', 'E', 10));
  assert.equal(order.inversions(() => true).length, 2);
});
