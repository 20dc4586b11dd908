/** Helpers for CFG unit tests: build the IR of a snippet's functions and query its graph. */
import * as assert from 'node:assert/strict';
import type { CfgNode, FunctionIR, Op } from '../../server/src/engine/ir';
import { Catalog, buildCfg } from '../../server/src/engine';
import { getGrammar } from './engine';
/** Build the IR of the function called `name` (or the only/first one) in `text`. */
export async function irOf(text: string, name?: string, loopMacros: string[] = []): Promise<FunctionIR> {
  const all = await irsOf(text, loopMacros);
  const ir = name ? all.find((f) => f.name === name) : all[0];
  assert.ok(ir, `no function ${name ?? ''} in snippet`);
  return ir;
}

export async function irsOf(text: string, loopMacros: string[] = []): Promise<FunctionIR[]> {
  const grammar = await getGrammar();
  const tree = grammar.parser.parse(text);
  assert.ok(tree, 'parser returned no tree');
  const defs = tree.rootNode.descendantsOfType('function_definition').filter((d) => !!d);
  return defs.map((d) =>
    buildCfg(d!, { catalog: new Catalog(), file: 'snippet.c', callable: () => false, loopMacros: new Set(loopMacros) }),
  );
}

export const opsOf = (ir: FunctionIR, k: Op['k']): { node: CfgNode; op: Op }[] =>
  ir.nodes.flatMap((node) => node.ops.filter((op) => op.k === k).map((op) => ({ node, op })));

export const lockOps = (ir: FunctionIR, k: 'acquire' | 'release', key: string) =>
  opsOf(ir, k).filter(({ op }) => 'lock' in op && op.lock.key === key);

export const preds = (ir: FunctionIR, id: number): number[] =>
  ir.nodes.filter((n) => n.succ.some((e) => e.to === id)).map((n) => n.id);

/** Nodes reachable from `from` (inclusive), optionally never passing through `avoid`. */
export function reach(ir: FunctionIR, from: number, avoid?: (n: CfgNode) => boolean): Set<number> {
  const seen = new Set<number>([from]);
  const work = [from];
  while (work.length) {
    const id = work.pop()!;
    for (const e of ir.nodes[id].succ) {
      if (seen.has(e.to) || avoid?.(ir.nodes[e.to])) continue;
      seen.add(e.to);
      work.push(e.to);
    }
  }
  return seen;
}

/** Back edges of a DFS from the entry: an edge to a node still on the DFS stack. */
export function backEdges(ir: FunctionIR): [number, number][] {
  const state = new Uint8Array(ir.nodes.length); // 0 new, 1 on stack, 2 done
  const out: [number, number][] = [];
  const stack: [number, number][] = [[ir.entry, 0]];
  state[ir.entry] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const succ = ir.nodes[top[0]].succ;
    if (top[1] < succ.length) {
      const to = succ[top[1]++].to;
      if (state[to] === 1) out.push([top[0], to]);
      else if (state[to] === 0) {
        state[to] = 1;
        stack.push([to, 0]);
      }
    } else {
      state[top[0]] = 2;
      stack.pop();
    }
  }
  return out;
}

/** Is there a cycle through node `id`? */
export const onCycle = (ir: FunctionIR, id: number): boolean => ir.nodes[id].succ.some((e) => reach(ir, e.to).has(id));

export const lineOf = (text: string, needle: string): number => {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `"${needle}" not in snippet`);
  return i + 1;
};

export const nodesOnLine = (ir: FunctionIR, line: number, kind?: CfgNode['kind']): CfgNode[] =>
  ir.nodes.filter((n) => n.line === line && (!kind || n.kind === kind));

export const totalUnmodelled = (ir: FunctionIR): number => Object.values(ir.unmodelled).reduce((a, b) => a + b, 0);
