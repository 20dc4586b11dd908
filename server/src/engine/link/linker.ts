/**
 * Linking a tree's functions: which definition a call names from a given file (static functions of
 * that file, then global functions, then static inlines in headers), which functions an ops-table
 * field may call (`.fsync = btrfs_sync_file`), and how to rank those for the function being checked.
 * Plain data in (serialisable, so an index built in a worker thread can be linked on the main thread).
 */
import type { IndirectTarget, Summary } from '../absint';
import type { OpsSlot } from '../ir';
import type { OrderWitness } from '../checks';
import { type LineEdit, mapThrough, moveSummary } from '../session';

/** What linking needs of a function. */
export interface LinkFn {
  id: number;
  name: string;
  file: string;
  dir: string;
  isStatic: boolean;
  callees: string[];
  fieldCalls: string[];
  /** Where it is defined (1-based lines), for call hierarchy. */
  line?: number;
  endLine?: number;
}

/** Candidates beyond this many, with nothing to rank them by, are not followed (and counted). */
const MAX_FANOUT = 4;
/** Ranking by directory (not by ops table) only for indirect calls this many calls away or closer. */
const MAX_WEAK_HOPS = 2;
export function emptySummary(name: string): Summary {
  return { name, acquires: [], deferred: [], forbidden: [], requires: [], effects: [], conditional: [] };
}

export class Linker {
  private readonly statics = new Map<string, Map<string, number>>();
  private readonly globals = new Map<string, number>();
  private readonly inlines = new Map<string, number>();
  readonly byField = new Map<string, { fn: number; slot: OpsSlot }[]>();
  readonly tablesOf = new Map<number, Set<string>>();
  readonly callers: number[][];
  private readonly contexts = new Map<number, Set<string> | null>();

  constructor(readonly fns: readonly LinkFn[], slots: readonly OpsSlot[]) {
    for (const f of fns) {
      if (f.isStatic) {
        let m = this.statics.get(f.file);
        if (!m) { m = new Map(); this.statics.set(f.file, m); }
        if (!m.has(f.name)) m.set(f.name, f.id);
        if (f.file.endsWith('.h') && !this.inlines.has(f.name)) this.inlines.set(f.name, f.id);
      } else if (!this.globals.has(f.name)) {
        this.globals.set(f.name, f.id);
      }
    }
    for (const slot of slots) {
      const fn = this.resolve(slot.file, slot.fn);
      if (fn === undefined) continue;
      const list = this.byField.get(slot.field) ?? [];
      list.push({ fn, slot });
      this.byField.set(slot.field, list);
      const t = this.tablesOf.get(fn) ?? new Set<string>();
      t.add(slot.table);
      this.tablesOf.set(fn, t);
    }
    this.callers = fns.map(() => []);
    for (const f of fns) for (const c of f.callees) { const t = this.resolve(f.file, c); if (t !== undefined && t !== f.id) this.callers[t].push(f.id); }
  }

  /** The slots a function is installed in (`btrfs_file_operations.fsync`). */
  slotsOf(id: number): OpsSlot[] {
    const out: OpsSlot[] = [];
    for (const list of this.byField.values()) for (const c of list) if (c.fn === id) out.push(c.slot);
    return out;
  }

  resolve(file: string, name: string): number | undefined {
    return this.statics.get(file)?.get(name) ?? this.globals.get(name) ?? this.inlines.get(name);
  }

  /** The call graph: direct calls, and every candidate of each field called. */
  edges(): number[][] {
    return this.fns.map((f) => {
      const out = new Set<number>();
      for (const c of f.callees) { const t = this.resolve(f.file, c); if (t !== undefined && t !== f.id) out.add(t); }
      for (const field of f.fieldCalls) for (const c of this.byField.get(field) ?? []) if (c.fn !== f.id) out.add(c.fn);
      return [...out];
    });
  }

  /**
   * The ops tables a function acts for: its own, or those of the functions in its directory that call
   * it (up to three calls up), so that ext4_dio_write_iter, called from ext4_file_operations.write_iter,
   * resolves ->fsync to ext4_file_operations.fsync.
   */
  contextTables(id: number): Set<string> | undefined {
    const cached = this.contexts.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const out = new Set<string>(this.tablesOf.get(id) ?? []);
    let frontier = [id];
    const seen = new Set(frontier);
    for (let depth = 0; depth < 3 && !out.size; depth++) {
      const next: number[] = [];
      for (const f of frontier) {
        for (const c of this.callers[f]) {
          if (seen.has(c) || this.fns[c].dir !== this.fns[id].dir) continue;
          seen.add(c);
          next.push(c);
          for (const t of this.tablesOf.get(c) ?? []) out.add(t);
        }
      }
      frontier = next;
    }
    this.contexts.set(id, out.size ? out : null);
    return out.size ? out : undefined;
  }

  /**
   * Targets of `->field(...)` for the function being checked (`entry`, or just its directory when it
   * is not in the index): the members of its own ops tables first (a write that began in
   * btrfs_file_operations.write_iter reaches btrfs_file_operations.fsync), then those in its
   * directory, then all of them if they are few. `hops`: how many calls away the indirect call is.
   */
  indirect(field: string, entry: { id?: number; dir: string }, hops: number, summaryOf: (id: number) => Summary | undefined,
    recvType?: string): { targets: IndirectTarget[]; unresolved: boolean } {
    // through a known ops struct (`file->f_op` is a struct file_operations), only its tables count
    const all = (this.byField.get(field) ?? []).filter((c) => !recvType || !c.slot.type || c.slot.type === recvType);
    const toTargets = (list: typeof all) => {
      const seen = new Set<number>();
      return list.filter((c) => (seen.has(c.fn) ? false : (seen.add(c.fn), true)))
        .map((c) => ({ summary: summaryOf(c.fn) ?? emptySummary(this.fns[c.fn].name), via: `${c.slot.table}.${field}` }));
    };
    const mine = entry.id === undefined ? undefined : this.contextTables(entry.id);
    const sameTable = mine ? all.filter((c) => mine.has(c.slot.table)) : [];
    if (sameTable.length) return { targets: toTargets(sameTable), unresolved: false };
    // far from the function being checked (deep in mm/ or the block layer), a directory says little:
    // the mapping there may be the block device's, not this filesystem's (cramfs reading its superblock)
    if (hops > MAX_WEAK_HOPS) return { targets: [], unresolved: all.length > 0 };
    const sameDir = all.filter((c) => this.fns[c.fn].dir === entry.dir);
    if (sameDir.length) return { targets: toTargets(sameDir), unresolved: false };
    const distinct = new Set(all.map((c) => c.fn));
    if (distinct.size <= MAX_FANOUT && hops <= 1) return { targets: toTargets(all), unresolved: false };
    return { targets: [], unresolved: all.length > 0 };
  }
}

/** A summary says the function does something with locks. */
export function busy(s: Summary | undefined): boolean {
  return !!s && (s.acquires.length > 0 || s.effects.length > 0 || s.deferred.length > 0 || s.conditional.length > 0 || s.forbidden.length > 0 || !!s.sleeps);
}

/** A linked tree with its function summaries: built once (in a worker), consulted by per-file analysis. */
export interface TreeIndex {
  root: string;
  fns: LinkFn[];
  slots: OpsSlot[];
  /** By function id; null where the function does nothing with locks. */
  summaries: (Summary | null)[];
  /** By callee id: each caller and the locks it holds at every call it makes (the intersection). */
  callersHold: Record<number, { caller: string; file: string; held: string[] }[]>;
  /** The lock-order graph: one edge per pair of classes seen nested (A held while B is taken), with its shortest witness. */
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
      for (let i = 0; i < v.length; i++) { const x = v[i]; if (typeof x === 'string') v[i] = one(x); else walk(x); }
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) { const x = o[k]; if (typeof x === 'string') o[k] = one(x); else walk(x); }
  };
  walk(index.fns);
  walk(index.summaries);
  walk(index.callersHold);
}

/** Lookups over a TreeIndex for analysing one file against the rest of the tree. */
export class ExternalIndex {
  readonly linker: Linker;
  constructor(readonly data: TreeIndex) {
    this.linker = new Linker(data.fns, data.slots);
  }
  /** A summary, its lines in edited open files brought up to date (see `linesMoved`). */
  summary(id: number): Summary | undefined {
    const s = this.data.summaries[id];
    if (!s || !this.moved.size) return s ?? undefined;
    let seen = this.seen.get(id);
    let out = s;
    for (const [file, log] of this.moved) {
      const at = seen?.get(file) ?? 0;
      if (at === log.length) continue;
      out = moveSummary(out, file, (l) => mapThrough(log, at, l)) ?? out;
      (seen ??= new Map()).set(file, log.length);
    }
    if (seen) this.seen.set(id, seen);
    if (out !== s) this.data.summaries[id] = out;
    return out;
  }

  /**
   * An open file was edited (`edits` turned the text last analysed against this index into the
   * current one). Witness paths reach into it from other files' summaries (qgroup.c's summary goes
   * through inode.c), at the lines the file had when they were made: they are moved through the
   * edits when next served, so that paths show the lines the developer sees, and an incremental
   * analysis sees the same lines as a fresh one.
   */
  linesMoved(file: string, edits: readonly LineEdit[]): void {
    if (!edits.length) return;
    const log = this.moved.get(file) ?? [];
    log.push(...edits);
    this.moved.set(file, log);
  }

  /** Per edited file, its edits since the index was made; per summary, how many of each it reflects. */
  private readonly moved = new Map<string, LineEdit[]>();
  private readonly seen = new Map<number, Map<string, number>>();

  /** The summary of `name` as called from `file` (a tree-relative path). */
  summaryFrom(file: string, name: string): Summary | undefined {
    const id = this.linker.resolve(file, name);
    return id === undefined ? undefined : this.summary(id);
  }
  get functions(): number { return this.data.fns.length; }

  /** The function `name` defined in `file` (tree-relative), if indexed. */
  idOf(file: string, name: string): number | undefined {
    const id = this.linker.resolve(file, name);
    return id !== undefined && this.data.fns[id].file === file ? id : undefined;
  }

  /** Who calls function `id`: direct callers, and the functions calling through an ops-table field it is installed in. */
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
        if (f.fieldCalls.includes(slot.field)) out.push({ caller: f, via: `->${slot.field} (${slot.table})`, held: [] });
      }
    }
    return out;
  }

  /** What function `id` calls: direct callees, and the ops-table targets of its indirect calls (ranked for it). */
  outgoing(id: number): { callee: LinkFn; via?: string }[] {
    const f = this.data.fns[id];
    const out: { callee: LinkFn; via?: string }[] = [];
    for (const name of f.callees) {
      const t = this.linker.resolve(f.file, name);
      if (t !== undefined) out.push({ callee: this.data.fns[t] });
    }
    for (const field of f.fieldCalls) {
      const r = this.linker.indirect(field, { id, dir: f.dir }, 0, (t) => this.summary(t));
      for (const target of r.targets) {
        const t = [...(this.linker.byField.get(field) ?? [])].find((c) => this.data.fns[c.fn].name === target.summary.name);
        if (t) out.push({ callee: this.data.fns[t.fn], via: `->${field} (${target.via})` });
      }
    }
    return out;
  }

  /** What the callers of `file`'s function `name` hold when they call it. */
  callersOf(file: string, name: string): { caller: string; file: string; held: string[] }[] {
    const id = this.linker.resolve(file, name);
    return id === undefined || this.data.fns[id].file !== file ? [] : this.data.callersHold[id] ?? [];
  }

  /**
   * An edited file's fresh summaries replace the index's. Returns, per other file, the functions in it
   * that call one whose behaviour changed (their summaries may change too), and the names that changed.
   */
  update(file: string, fresh: ReadonlyMap<string, Summary>): { stale: Map<string, Set<string>>; changed: string[] } {
    const stale = new Map<string, Set<string>>();
    const changed: string[] = [];
    for (const [name, sum] of fresh) {
      const id = this.linker.resolve(file, name);
      if (id === undefined || this.data.fns[id].file !== file) continue;
      const before = this.data.summaries[id] ?? null; // (not moved: what callers see has no lines)
      const after = busy(sum) ? sum : null;
      if (summaryKey(before) === summaryKey(after)) {
        // the same behaviour; its witness paths are the current text's now
        if (after && before !== after) { this.data.summaries[id] = after; this.seen.set(id, this.positions()); }
        continue;
      }
      this.data.summaries[id] = after;
      this.seen.set(id, this.positions());
      changed.push(name);
      this.log.push({ file, name, fields: this.linker.slotsOf(id).map((slot) => slot.field) });
      for (const c of this.linker.callers[id]) {
        const caller = this.data.fns[c];
        if (caller.file === file) continue;
        const names = stale.get(caller.file) ?? new Set<string>();
        names.add(caller.name);
        stale.set(caller.file, names);
      }
    }
    return { stale, changed };
  }

  /** Made from summaries served now: up to date with every edit so far. */
  private positions(): Map<string, number> {
    return new Map([...this.moved].map(([f, log]) => [f, log.length]));
  }

  /** Every summary `update` changed, in order, with the ops-table fields the function is installed in. */
  private readonly log: { file: string; name: string; fields: string[] }[] = [];

  /** A mark in the changes `update` made: `changesSince` tells what changed after it. */
  get mark(): number { return this.log.length; }

  /**
   * The functions outside `file` whose behaviour changed since `mark`, by name, and the ops-table
   * fields they are installed in (a call through one of those may reach them).
   */
  changesSince(file: string, mark: number): { names: Set<string>; fields: Set<string> } {
    const names = new Set<string>();
    const fields = new Set<string>();
    for (let i = mark; i < this.log.length; i++) {
      const c = this.log[i];
      if (c.file === file) continue;
      names.add(c.name);
      for (const f of c.fields) fields.add(f);
    }
    return { names, fields };
  }
}

/** What of a summary callers see (witness paths aside). */
function summaryKey(s: Summary | null | undefined): string {
  if (!s) return '';
  return JSON.stringify([s.acquires.map((a) => a.template ?? a.ref.class), s.effects.map((e) => [e.template, e.delta, e.when]),
    s.deferred.map((d) => [d.field, d.args]), s.forbidden.map((f) => [f.call, f.template]), s.requires.map((r) => r.template), !!s.sleeps, s.conditional]);
}
