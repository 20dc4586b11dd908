/**
 * A forward worklist solver in reverse post-order over a function's CFG.
 * IN[n] is a StateSet; a node's operations map each state through the transfer function, and each
 * edge's guard filters or refines it. Terminates because locksets are finite and facts only shrink.
 */
import { MAX_STATES, type State, StateSet, pushTrail } from './domain';
import type { FunctionIR, Op } from '../ir';
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
  /** Which budget stopped it, in words ("its lock states did not settle in 64 passes"). */
  limit?: string;
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

/** At most this many lock-deciding facts split the states of a function (the first ones met). */
export const MAX_SPLIT_FACTS = 6;
/** How far past a branch a lock operation still makes its condition lock-deciding. */
const SPLIT_REACH = 6;

const hasLockOp = (ir: FunctionIR, id: number): boolean =>
  ir.nodes[id].ops.some((o) => o.k === 'acquire' || o.k === 'release') ||
  ir.nodes[id].succ.some((e) => !!e.guard?.acquire);

/**
 * The branch conditions that decide a lock: tested at two or more branches, an arm of each reaching an
 * acquire or a release within a few nodes (`if (!rl) { down_read(..); ... }` and later `if (rl) up_read(..)`;
 * `if (trans->removing_chunk) mutex_unlock(..)`). States that differ on them are not joined (see StateSet),
 * so a local, field or flag that mirrors a lock stays correlated with it. At most MAX_SPLIT_FACTS, the most
 * tested first; a function with more is counted (`correlation-limit`).
 */
export function lockDecidingFacts(ir: FunctionIR): string[] {
  const count = new Map<string, number>();
  for (const n of ir.nodes) {
    const texts = new Set<string>();
    for (const e of n.succ) {
      const text = e.guard?.fact?.text;
      if (!text || texts.has(text)) continue;
      // breadth-first from the edge's target, a few nodes deep
      let frontier = [e.to];
      const visited = new Set<number>([n.id]);
      let found = false;
      for (let d = 0; d < SPLIT_REACH && frontier.length && !found; d++) {
        const next: number[] = [];
        for (const id of frontier) {
          if (visited.has(id)) continue;
          visited.add(id);
          if (hasLockOp(ir, id)) {
            found = true;
            break;
          }
          for (const f of ir.nodes[id].succ) next.push(f.to);
        }
        frontier = next;
      }
      if (found) texts.add(text);
    }
    for (const t of texts) count.set(t, (count.get(t) ?? 0) + 1);
  }
  const tested = [...count].filter(([, c]) => c >= 2).sort((x, y) => y[1] - x[1]);
  if (tested.length > MAX_SPLIT_FACTS) ir.unmodelled['correlation-limit'] = 1;
  return tested.slice(0, MAX_SPLIT_FACTS).map(([t]) => t);
}

/** The ops within SPLIT_REACH nodes after op `i` of node `id` (the rest of the node first), trylock edges included. */
function opsAfter(ir: FunctionIR, id: number, i: number): Op[] {
  const out: Op[] = ir.nodes[id].ops.slice(i + 1);
  let frontier = ir.nodes[id].succ.map((e) => e.to);
  const visited = new Set<number>([id]);
  for (let d = 0; d < SPLIT_REACH && frontier.length; d++) {
    const next: number[] = [];
    for (const n of frontier) {
      if (visited.has(n)) continue;
      visited.add(n);
      out.push(...ir.nodes[n].ops);
      for (const e of ir.nodes[n].succ) {
        if (e.guard?.acquire) out.push(e.guard.acquire);
        next.push(e.to);
      }
    }
    frontier = next;
  }
  return out;
}

const flagStore = (op: Op, value: boolean): op is Op & { k: 'assign' } =>
  op.k === 'assign' && op.value === value && op.constText !== undefined && /->|\./.test(op.name);

/**
 * Flags in an object that mirror a lock this function takes (`p->holding = true; mutex_lock(m); ...
 * mutex_unlock(m); p->holding = false;`, with `if (p->holding) mutex_unlock(m)` at the exit): set true next
 * to an acquire of the lock and false next to a release of it. The function's own exits rely on the flag
 * being false while it does not hold the lock, so it is assumed false on entry when the lock is not held
 * then (as it would be if the function had cleared it itself). A flag stored elsewhere is not a mirror.
 */
export function mirrorFlags(ir: FunctionIR): Map<string, string> {
  const set = new Map<string, Set<string>>();
  const cleared = new Map<string, Set<string>>();
  const other = new Set<string>();
  const note = (m: Map<string, Set<string>>, flag: string, key: string): void => {
    m.set(flag, (m.get(flag) ?? new Set()).add(key));
  };
  for (const n of ir.nodes) {
    n.ops.forEach((op, i) => {
      if (op.k === 'assign' && /->|\./.test(op.name)) {
        const v = op.value;
        if (op.constText === undefined || v === undefined) {
          other.add(op.name);
          return;
        }
        for (const o of opsAfter(ir, n.id, i))
          if ((o.k === 'acquire' || o.k === 'release') && o.k === (v ? 'acquire' : 'release'))
            note(v ? set : cleared, op.name, o.lock.key);
      } else if (op.k === 'acquire' || op.k === 'release') {
        const v = op.k === 'acquire';
        for (const o of opsAfter(ir, n.id, i)) if (flagStore(o, v)) note(v ? set : cleared, o.name, op.lock.key);
      }
    });
  }
  const out = new Map<string, string>();
  for (const [flag, keys] of set) {
    if (other.has(flag)) continue;
    const key = [...keys].find((k) => cleared.get(flag)?.has(k));
    if (key) out.set(flag, key);
  }
  return out;
}

export function solve(ir: FunctionIR, entryState: State, ctx: TransferContext, maxPasses = 64): Solution {
  const order = reversePostOrder(ir);
  const rank = new Int32Array(ir.nodes.length).fill(-1);
  order.forEach((id, i) => {
    rank[id] = i;
  });
  const keys = lockDecidingFacts(ir);
  const inStates = ir.nodes.map(() => new StateSet(keys));
  let entry = entryState;
  if (ir.nodes.some((n) => n.ops.some((op) => flagStore(op, true)))) {
    for (const [flag, key] of mirrorFlags(ir)) {
      if (entry.locks.has(key)) continue;
      const facts = entry.facts.assume(flag, false);
      if (facts) entry = { ...entry, facts };
    }
  }
  inStates[ir.entry].add(entry);
  const dirty = new Uint8Array(ir.nodes.length);
  dirty[ir.entry] = 1;
  let limit: string | undefined;
  let passes = 0;
  let changed = true;
  while (changed) {
    changed = false;
    if (++passes > maxPasses) {
      limit = `its lock states did not settle in ${maxPasses} passes`;
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
  if (!limit && inStates.some((s) => s.overflowed)) limit = `over ${MAX_STATES} lock states meet at one point`;
  return { ir, inStates, order, saturated: limit !== undefined, limit };
}
