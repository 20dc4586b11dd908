/**
 * A tree index: the linked functions of a kernel tree with their summaries, built once (in a worker,
 * or read from the cache) and consulted by the analysis of one file against the rest of the tree.
 * `TreeView` answers the questions asked of it (which summary a call from a file gets, who calls a
 * function, what it calls) and changes nothing; keeping an index up to date with a document being
 * edited is the incremental layer's (incremental/live-index.ts).
 */
import type { Summary } from '../absint';
import type { OpsSlot } from '../ir';
import type { OrderWitness } from '../checks';
import { type LinkFn, Linker } from './linker';

/** A linked tree with its function summaries: built once (in a worker), consulted by per-file analysis. */
export interface TreeIndex {
  root: string;
  fns: LinkFn[];
  slots: OpsSlot[];
  /** By function id; null where the function does nothing with locks. */
  summaries: (Summary | null)[];
  /** By callee id: each caller and the locks it holds at every call it makes (the intersection). */
  callersHold: Record<number, { caller: string; file: string; held: string[] }[]>;
  /**
   * The lock-order graph: one edge per pair of classes seen nested (A held while B is taken), with its
   * shortest witness.
   */
  order?: OrderWitness[];
}

/**
 * Make equal strings in `index` one string. An index that crossed threads (postMessage) or came from
 * the cache is a copy in which every string is its own: a file name or a witness note repeated in a
 * million path steps costs a million copies. On Linux 6.1 the language server's live heap after
 * indexing goes from 262 to 189 MiB (scripts/bench-lsp.mjs --node-arg --expose-gc, warm start).
 */
export function shareStrings(index: TreeIndex): void {
  const pool = new Map<string, string>();
  const one = (s: string): string => {
    const o = pool.get(s);
    if (o !== undefined) return o;
    pool.set(s, s);
    return s;
  };
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === 'string') v[i] = one(x);
        else walk(x);
      }
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'string') o[k] = one(x);
      else walk(x);
    }
  };
  walk(index.fns);
  walk(index.summaries);
  walk(index.callersHold);
}

/** Lookups over a TreeIndex for analysing one file against the rest of the tree. */
export class TreeView {
  readonly linker: Linker;
  constructor(readonly data: TreeIndex) {
    this.linker = new Linker(data.fns, data.slots);
  }

  /** The ops-table field (`file_operations::unlocked_ioctl`) `name` defined in `file` is stored in, if any. */
  methodOf(file: string, name: string): string | undefined {
    const id = this.linker.resolve(file, name);
    const slot = id === undefined ? undefined : this.linker.slotsOf(id)[0];
    return slot && `${slot.type ?? slot.table}::${slot.field}`;
  }

  /** The summary of function `id`; undefined where it does nothing with locks. */
  summary(id: number): Summary | undefined {
    return this.data.summaries[id] ?? undefined;
  }

  /** The summary of `name` as called from `file` (a tree-relative path). */
  summaryFrom(file: string, name: string): Summary | undefined {
    const id = this.linker.resolve(file, name);
    return id === undefined ? undefined : this.summary(id);
  }
  get functions(): number {
    return this.data.fns.length;
  }

  /** The function `name` defined in `file` (tree-relative), if indexed. */
  idOf(file: string, name: string): number | undefined {
    const id = this.linker.resolve(file, name);
    return id !== undefined && this.data.fns[id].file === file ? id : undefined;
  }

  /**
   * Who calls function `id`: direct callers, and the functions calling through an ops-table field it is
   * installed in.
   */
  incoming(id: number): { caller: LinkFn; via?: string; held: string[] }[] {
    const out: { caller: LinkFn; via?: string; held: string[] }[] = [];
    const hold = new Map((this.data.callersHold[id] ?? []).map((h) => [`${h.file}:${h.caller}`, h.held]));
    for (const c of new Set(this.linker.callers[id])) {
      const f = this.data.fns[c];
      out.push({ caller: f, held: hold.get(`${f.file}:${f.name}`) ?? [] });
    }
    for (const slot of this.linker.slotsOf(id)) {
      for (const f of this.data.fns) {
        if (out.length >= 200) break;
        if (f.fieldCalls.includes(slot.field))
          out.push({ caller: f, via: `->${slot.field} (${slot.table})`, held: [] });
      }
    }
    return out;
  }

  /**
   * What function `id` calls: direct callees, and the ops-table targets of its indirect calls, ranked as
   * the analysis ranks them for the function being checked: `id` itself, or `from.entry` when `id` is
   * reached `from.hops` calls below it (a graph drawn from ext4_buffered_write_iter resolves the
   * `->write_begin` of generic_perform_write, one call down, to ext4's, as checking it does).
   */
  outgoing(
    id: number,
    from: { entry: number; hops: number } = { entry: id, hops: 0 },
  ): { callee: LinkFn; via?: string }[] {
    const f = this.data.fns[id];
    const out: { callee: LinkFn; via?: string }[] = [];
    for (const name of f.callees) {
      const t = this.linker.resolve(f.file, name);
      if (t !== undefined) out.push({ callee: this.data.fns[t] });
    }
    const entry = this.data.fns[from.entry];
    for (const field of f.fieldCalls) {
      for (const t of this.linker.targetsOf(field, { id: entry.id, dir: entry.dir }, from.hops).targets)
        out.push({ callee: this.data.fns[t.fn], via: `->${field} (${t.via})` });
    }
    return out;
  }

  /** What the callers of `file`'s function `name` hold when they call it. */
  callersOf(file: string, name: string): { caller: string; file: string; held: string[] }[] {
    const id = this.linker.resolve(file, name);
    return id === undefined || this.data.fns[id].file !== file ? [] : (this.data.callersHold[id] ?? []);
  }
}
