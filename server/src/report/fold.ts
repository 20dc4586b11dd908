/**
 * Which calls a call graph folds into their caller's box (`--all-calls` draws them): trivial leaves, by what they
 * do rather than by name. A function is trivial when
 * - it does nothing with locks that a caller could see: no summary, or one with nothing taken, released, needed,
 *   forbidden, deferred, slept on, faulted on or stored (its facts about the value it returns are fine);
 * - it calls through no function pointer;
 * - it is tiny: the index marks it an accessor (its body only returns a part of a parameter: `file_inode`,
 *   `BTRFS_I`), or its definition spans at most TINY_LINES lines (`atomic_inc`, `arch_atomic_read`);
 * - and every function it calls is trivial too, or debug-only (debugonly.ts: KASAN's instrumentation under an
 *   atomic is compiled out of a kernel built for use).
 * Debug-only callees are folded as well, counted apart. Nothing on a finding's path is ever folded.
 */
import type { Summary } from '../engine';
import type { TreeView } from '../engine';
import type { DebugOnly } from './debugonly';

/** A definition this short (lines, braces included) counts as tiny. */
export const TINY_LINES = 6;
/** How deep below a candidate its callees are followed (deeper: not trivial). */
const MAX_DEPTH = 4;

/** The summary says nothing a caller sees beyond facts about the returned value. */
export function lockFree(s: Summary | null | undefined): boolean {
  if (!s) return true;
  return (
    !s.acquires.length &&
    !s.deferred.length &&
    !s.forbidden.length &&
    !s.requires.length &&
    !s.effects.length &&
    !s.conditional.length &&
    !s.sleeps &&
    !s.faults &&
    !s.reclaims &&
    !s.sleepsIf?.length &&
    !s.keeps?.length &&
    !s.stores?.length &&
    !s.reclaimAcquires?.length
  );
}

export type FoldReason = 'trivial' | 'debug-only';

export class Folder {
  private readonly memo = new Map<number, boolean>();

  constructor(
    private readonly view: TreeView,
    private readonly debug?: DebugOnly,
  ) {}

  /** Why the function with id `id` is folded, or undefined when it is drawn. */
  reason(id: number): FoldReason | undefined {
    if (this.debug?.file(this.view.data.fns[id].file)) return 'debug-only';
    return this.trivial(id, 0) ? 'trivial' : undefined;
  }

  private trivial(id: number, depth: number): boolean {
    const known = this.memo.get(id);
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) return false;
    this.memo.set(id, false); // recursion is not trivial
    const f = this.view.data.fns[id];
    const size = f.line !== undefined && f.endLine !== undefined ? f.endLine - f.line + 1 : Infinity;
    const verdict =
      lockFree(this.view.summary(id)) &&
      !f.fieldCalls.length &&
      (!!f.accessor || size <= TINY_LINES) &&
      this.view.outgoing(id).every(({ callee }) => this.debug?.file(callee.file) || this.trivial(callee.id, depth + 1));
    this.memo.set(id, verdict);
    return verdict;
  }
}
