/**
 * Confidence from the guards of lock operations. A lock operation inside `if (G)`, where G is a
 * lock-deciding fact (tested at two or more branches next to lock operations: a pointer, flag or field
 * that mirrors the lock), is reported with high confidence only when the engine knew G on every path
 * that reaches the branch in the finding's lock state. When some such path reached it with G undecided
 * (a value the function loaded from memory or got from a call), the finding rests on the engine's guess
 * that G may be true there while the lock says otherwise: medium.
 */
import { type Solution, type State, isHeld, lockDecidingFacts } from '../absint';
import type { FunctionIR } from '../ir';
import type { Doubt } from '../model';

/** How far back from the operation the guarding branch may be (straight-line nodes only). */
const REACH = 6;

export class GuardDoubts {
  private keys?: Set<string>;
  private preds?: number[][];
  constructor(private readonly sol: Solution) {}

  /** The doubt about a finding on lock `key` at node `id`, reached in state `s`, if any. */
  at(id: number, s: State, key: string): Doubt[] {
    // computed on the first finding only: most functions report none
    this.keys ??= new Set(lockDecidingFacts(this.sol.ir));
    if (!this.keys.size) return [];
    const g = this.guard(this.sol.ir, id);
    if (!g) return [];
    const held = isHeld(s.locks.get(key));
    for (const t of this.sol.inStates[g.from]) {
      if (isHeld(t.locks.get(key)) !== held) continue;
      if (t.facts.get(g.text) === undefined) {
        return [
          {
            level: 'medium',
            why:
              `the lock operation is guarded by \`${g.text}\`, which the function tests next to its lock ` +
              'operations, and the engine could not decide it on a path that reaches the test',
          },
        ];
      }
    }
    return [];
  }

  /** The lock-deciding branch that guards node `id`: a straight line of nodes back to a guarded edge. */
  private guard(ir: FunctionIR, id: number): { from: number; text: string } | undefined {
    this.preds ??= predecessors(ir);
    let cur = id;
    for (let d = 0; d < REACH; d++) {
      const p = this.preds[cur];
      if (p.length !== 1) return undefined;
      const from = p[0];
      for (const e of ir.nodes[from].succ) {
        const text = e.to === cur ? e.guard?.fact?.text : undefined;
        if (text && this.keys?.has(text)) return { from, text };
      }
      cur = from;
    }
    return undefined;
  }
}

function predecessors(ir: FunctionIR): number[][] {
  const out: number[][] = ir.nodes.map(() => []);
  for (const n of ir.nodes) for (const e of n.succ) if (!out[e.to].includes(n.id)) out[e.to].push(n.id);
  return out;
}
