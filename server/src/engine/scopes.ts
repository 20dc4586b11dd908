/**
 * The task-state scopes (`memalloc_nofs`, `pagefault_disabled`) a function is always called in, from the states
 * at its callers' calls (Project.treeChecks puts them on the function's entry).
 */
import type { Linker } from './link';
import { NOFAULT_SCOPE, NOFS_SCOPE } from './model';

export const SCOPES = [NOFS_SCOPE, NOFAULT_SCOPE];

/**
 * Which task-state scopes (`memalloc_nofs`, `pagefault_disabled`) each caller holds at every call it makes to a
 * callee: a transaction started in a caller puts the helpers it calls in its nofs scope.
 */
export class ScopeCalls {
  /** By callee, by caller: the scopes held at every call (the intersection). */
  private readonly calls = new Map<number, Map<number, Set<string>>>();
  private readonly known = new Map<string, boolean>();

  add(caller: number, callee: number, held: readonly string[]): void {
    let m = this.calls.get(callee);
    if (!m) this.calls.set(callee, (m = new Map()));
    const here = held.filter((h) => SCOPES.includes(h));
    const before = m.get(caller);
    m.set(caller, new Set(before ? here.filter((h) => before.has(h)) : here));
  }

  /**
   * Is function `id` always called inside scope `key`: it is in no ops table (the VFS calls those outside any),
   * it has callers, and each calls it inside the scope or is itself always called inside it. A cycle, or a chain
   * deeper than a few calls, says no.
   */
  onEntry(id: number, key: string, linker: Linker, path: number[] = []): boolean {
    const memo = `${id}:${key}`;
    const k = this.known.get(memo);
    if (k !== undefined) return k;
    const callers = new Set(linker.callers[id]);
    let yes = !linker.tablesOf.has(id) && callers.size > 0 && path.length < 8;
    for (const c of callers) {
      if (!yes) break;
      if (this.calls.get(id)?.get(c)?.has(key)) continue;
      yes = !path.includes(c) && c !== id && this.onEntry(c, key, linker, [...path, id]);
    }
    if (!path.length || yes) this.known.set(memo, yes);
    return yes;
  }
}
