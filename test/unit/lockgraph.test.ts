/** The lock-order graph: cycles as strongly connected components, filters, the size cap said aloud. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OrderWitness } from '../../server/src/engine/checks';
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
  assert.deepEqual(g.cycles, [['A', 'B', 'C']]);
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
  assert.deepEqual(g.cycles, [
    ['A', 'B'],
    ['C', 'D'],
  ]);
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

test('a long chain does not overflow the stack', () => {
  const chain = Array.from({ length: 50_000 }, (_, i) => w(`L${i}`, `L${i + 1}`));
  const g = lockOrderGraph([...chain, w('L50000', 'L0')], { maxEdges: 10 });
  assert.equal(g.cycles.length, 1);
  assert.equal(g.cycles[0].length, 50_001);
});
