/**
 * Same-file function summaries: a function's net lock effect on exit, relative to its parameters,
 * applied where it is called (Infer's integrate_summary with formals replaced by actuals). The
 * interprocedural engine (call graph over the tree) builds on this shape.
 */
import { type State } from './domain';
import type { FunctionIR, LockRef } from './ir';
import { rootIdentifier } from './lockname';
import { type Solution, runNode } from './solver';
import type { Observer, Summary, TransferContext } from './transfer';
import type { PathStep } from './types';

/** States leaving the function, one per path class, at each return. */
export function exitStates(sol: Solution, ctx: TransferContext): State[] {
  const out: State[] = [];
  for (const id of sol.order) {
    if (sol.ir.nodes[id].kind !== 'return') continue;
    for (const s of sol.inStates[id]) {
      const o = runNode(sol.ir, id, s, ctx);
      if (o) out.push(o);
    }
  }
  return out;
}

/** Every parameter named in `text` becomes `{i}`; undefined when it names a local. */
export function paramTemplate(text: string, ir: FunctionIR): string | undefined {
  let bad = false;
  const out = text.replace(/(->|\.)?\b([A-Za-z_]\w*)\b/g, (m, sel: string | undefined, id: string) => {
    if (sel) return m;
    const i = ir.params.indexOf(id);
    if (i >= 0) return `{${i}}`;
    if (ir.locals.has(id)) bad = true;
    return m;
  });
  return bad ? undefined : out;
}

/** Relativise a lock for a summary, keeping a symbolic lock's argument texts as templates. */
export function relativeRef(ref: LockRef, ir: FunctionIR): LockRef | undefined {
  if (!ref.symbolic) return ref;
  const obj = paramTemplate(ref.symbolic.obj, ir);
  const flags = paramTemplate(ref.symbolic.flags, ir);
  if (obj === undefined || flags === undefined) return undefined;
  return { ...ref, symbolic: { prim: ref.symbolic.prim, obj, flags } };
}

/** `inode->i_rwsem` in f(struct inode *inode) becomes `{0}->i_rwsem`; undefined when it names a local. */
export function relativise(key: string, ir: FunctionIR): string | undefined {
  const root = rootIdentifier(key);
  if (!root) return key;
  const i = ir.params.indexOf(root);
  if (i >= 0) return key.replace(new RegExp(`(^|[^A-Za-z0-9_])${root}(?![A-Za-z0-9_])`), `$1{${i}}`);
  if (ir.locals.has(root)) return undefined;
  return key; // a global lock
}

/** Every lock taken from not held somewhere in the function, with the first witness found. */
function mayAcquire(sol: Solution, ctx: TransferContext): Summary['acquires'] {
  const ir = sol.ir;
  const out = new Map<string, Summary['acquires'][number]>();
  const observer: Observer = {
    recursive() { /* the checker reports */ },
    doubleUnlock() { /* the checker reports */ },
    releaseUnknown() { /* the checker reports */ },
    releaseHeld() { /* the checker reports */ },
    acquired(op, _s, via, inner) {
      const template = relativise(op.lock.key, ir);
      const ref = relativeRef(op.lock, ir);
      if (!template || !ref || out.has(template)) return;
      const step: PathStep = via
        ? { file: ir.file, line: op.site.line, column: op.site.column, function: ir.name, note: `calls ${via}()` }
        : { file: ir.file, line: op.site.line, column: op.site.column, function: ir.name, note: `takes ${op.lock.display} (${op.via})` };
      out.set(template, { template, ref, mode: op.mode, subclass: op.subclass, witness: [step, ...(inner ?? [])].slice(0, 32) });
    },
  };
  const quiet = { ...ctx, tainted: new Set<string>() };
  for (const id of sol.order) {
    for (const s of sol.inStates[id]) runNode(ir, id, s, quiet, observer);
  }
  return [...out.values()];
}

function trustedAcquirer(ir: FunctionIR, key: string): boolean {
  if (/lock|acquire|grab|get|begin|enter|start/i.test(ir.name)) return true;
  return ir.annotations.acquires.some((keys) => keys.includes(key));
}

export function summarise(sol: Solution, ctx: TransferContext): Summary {
  const ir = sol.ir;
  const exits = exitStates(sol, ctx);
  const sum: Summary = { name: ir.name, acquires: mayAcquire(sol, ctx), effects: [], conditional: [] };
  if (!exits.length) return sum;
  const keys = new Set<string>();
  for (const s of exits) for (const [k, f] of s.locks) if (f.status === 'held' || f.status === 'dropped') keys.add(k);
  for (const key of keys) {
    const deltas = new Set<number>();
    let fact;
    for (const s of exits) {
      const f = s.locks.get(key);
      const d = f?.status === 'held' ? 1 : f?.status === 'dropped' ? -1 : 0;
      deltas.add(d);
      if (d) fact = f;
    }
    const template = relativise(key, ir);
    if (!template || !fact) continue;
    if (deltas.size === 1) {
      const d = [...deltas][0];
      // returning with a lock held and saying nothing about it: a lock helper says so by name or
      // annotation; otherwise a callee we cannot see may release it (xfs_trans_ail_update_bulk)
      const ref = relativeRef(fact.ref, ir);
      if (!ref) continue;
      if (d > 0 && !trustedAcquirer(ir, key)) sum.conditional.push(template);
      else if (d) sum.effects.push({ template, ref, delta: d as 1 | -1, mode: fact.mode });
    } else {
      sum.conditional.push(template);
    }
  }
  return sum;
}
