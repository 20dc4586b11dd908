/**
 * A forward worklist solver in reverse post-order over a function's CFG.
 * IN[n] is a StateSet; a node's operations map each state through the transfer function, and each
 * edge's guard filters or refines it. Terminates because locksets are finite and facts only shrink.
 */
import { type State, StateSet, pushTrail } from './domain';
import type { FunctionIR } from '../ir';
import type { TransferContext } from './transfer';
import { applyGuard, applyOp } from './apply';

export interface Solution {
  ir: FunctionIR;
  /** States on entry to each node, by node id. */
  inStates: StateSet[];
  /** Node ids in reverse post-order from the entry. */
  order: number[];
  /** True when some node's state set hit the cap or the iteration limit: results are partial. */
  saturated: boolean;
}

function reversePostOrder(ir: FunctionIR): number[] {
  const seen = new Uint8Array(ir.nodes.length);
  const post: number[] = [];
  // iterative DFS
  const stack: [number, number][] = [[ir.entry, 0]];
  seen[ir.entry] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const succ = ir.nodes[top[0]].succ;
    if (top[1] < succ.length) {
      const next = succ[top[1]++].to;
      if (!seen[next]) {
        seen[next] = 1;
        stack.push([next, 0]);
      }
    } else {
      post.push(top[0]);
      stack.pop();
    }
  }
  return post.reverse();
}

/** Run a node's operations over one state; undefined when the path ends inside the node. */
export function runNode(
  ir: FunctionIR,
  id: number,
  s: State,
  ctx: TransferContext,
  obs?: Parameters<typeof applyOp>[3],
): State | undefined {
  const node = ir.nodes[id];
  let cur: State | undefined = s;
  if (node.note?.startsWith('goto ')) cur = { ...cur, trail: pushTrail(cur.trail, node.line, node.column, node.note) };
  for (const op of node.ops) {
    cur = applyOp(cur, op, ctx, obs);
    if (!cur) return undefined;
  }
  return cur;
}

export function solve(ir: FunctionIR, entryState: State, ctx: TransferContext, maxPasses = 64): Solution {
  const order = reversePostOrder(ir);
  const rank = new Int32Array(ir.nodes.length).fill(-1);
  order.forEach((id, i) => {
    rank[id] = i;
  });
  const inStates = ir.nodes.map(() => new StateSet());
  inStates[ir.entry].add(entryState);
  const dirty = new Uint8Array(ir.nodes.length);
  dirty[ir.entry] = 1;
  let saturated = false;
  let passes = 0;
  let changed = true;
  while (changed) {
    changed = false;
    if (++passes > maxPasses) {
      saturated = true;
      break;
    }
    for (const id of order) {
      if (!dirty[id]) continue;
      dirty[id] = 0;
      const node = ir.nodes[id];
      for (const s of [...inStates[id]]) {
        const out = runNode(ir, id, s, ctx);
        if (!out) continue;
        for (const e of node.succ) {
          const t = applyGuard(out, e.guard, ctx);
          if (t && inStates[e.to].add(t)) {
            dirty[e.to] = 1;
            if (rank[e.to] <= rank[id]) changed = true; // back edge: another pass
          }
        }
      }
    }
  }
  for (const s of inStates) if (s.overflowed) saturated = true;
  return { ir, inStates, order, saturated };
}
