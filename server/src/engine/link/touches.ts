/**
 * Whether a function matters to the summaries of the tree: it takes, releases, asserts or forbids a lock (or sleeps,
 * faults, reclaims), calls something whose summary says so, or calls through an ops field whose targets do or
 * whose VFS contract unlocks what it is given (Project.touches).
 */
import type { Summary } from '../absint';
import type { FunctionIR } from '../ir';
import { VFS_UNLOCKING_FIELDS } from '../model';
import { type Linker, busy } from './linker';

/** Does the function take a lock, or call something whose summary says it does? */
export function touchesLocks(
  ir: FunctionIR,
  resolve: (name: string) => number | undefined,
  summaryOf: (id: number) => Summary | undefined,
  linker: Linker,
): boolean {
  const a = ir.annotations;
  if (a.acquires.length || a.releases.length || a.mustHold.length) return true;
  for (const n of ir.nodes) {
    if (
      n.ops.some(
        (o) =>
          o.k === 'acquire' ||
          o.k === 'release' ||
          o.k === 'assert' ||
          o.k === 'downgrade' ||
          o.k === 'forbid' ||
          o.k === 'sleep' ||
          o.k === 'fault' ||
          o.k === 'reclaim',
      )
    )
      return true;
    if (n.succ.some((e) => e.guard?.acquire)) return true;
  }
  for (const c of ir.callees) {
    const t = resolve(c);
    if (t !== undefined && busy(summaryOf(t))) return true;
  }
  for (const field of ir.fieldCalls) {
    if (VFS_UNLOCKING_FIELDS.has(field)) return true;
    if ((linker.byField.get(field) ?? []).some((c) => busy(summaryOf(c.fn)))) return true;
  }
  return false;
}
