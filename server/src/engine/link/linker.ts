/**
 * Linking a tree's functions: which definition a call names from a given file (static functions of
 * that file, then global functions, then static inlines in headers), which functions an ops-table
 * field may call (`.fsync = btrfs_sync_file`), and how to rank those for the function being checked.
 * Plain data in (serialisable, so an index built in a worker thread can be linked on the main thread).
 */
import type { IndirectTarget, Summary } from '../absint';
import type { OpsSlot } from '../ir';

/** What linking needs of a function. */
export interface LinkFn {
  id: number;
  name: string;
  file: string;
  dir: string;
  isStatic: boolean;
  callees: string[];
  fieldCalls: string[];
  /** Its body only returns a part of a parameter (FunctionIR.accessor). */
  accessor?: boolean;
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

  constructor(
    readonly fns: readonly LinkFn[],
    slots: readonly OpsSlot[],
  ) {
    for (const f of fns) {
      if (f.isStatic) {
        let m = this.statics.get(f.file);
        if (!m) {
          m = new Map();
          this.statics.set(f.file, m);
        }
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
    for (const f of fns)
      for (const c of f.callees) {
        const t = this.resolve(f.file, c);
        if (t !== undefined && t !== f.id) this.callers[t].push(f.id);
      }
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
      for (const c of f.callees) {
        const t = this.resolve(f.file, c);
        if (t !== undefined && t !== f.id) out.add(t);
      }
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
  indirect(
    field: string,
    entry: { id?: number; dir: string },
    hops: number,
    summaryOf: (id: number) => Summary | undefined,
    recvType?: string,
    settled: (id: number) => boolean = () => true,
  ): { targets: IndirectTarget[]; unresolved: boolean } {
    // through a known ops struct (`file->f_op` is a struct file_operations), only its tables count
    const all = (this.byField.get(field) ?? []).filter((c) => !recvType || !c.slot.type || c.slot.type === recvType);
    const toTargets = (list: typeof all, by: 'table' | 'directory' | 'few') => {
      const seen = new Set<number>();
      return list
        .filter((c) => (seen.has(c.fn) ? false : (seen.add(c.fn), true)))
        .map((c) => {
          const s = summaryOf(c.fn);
          return {
            summary: s ?? emptySummary(this.fns[c.fn].name),
            via: `${c.slot.table}.${field}`,
            by,
            ...(s || settled(c.fn) ? {} : { pending: true }),
          };
        });
    };
    const mine = entry.id === undefined ? undefined : this.contextTables(entry.id);
    const sameTable = mine ? all.filter((c) => mine.has(c.slot.table)) : [];
    if (sameTable.length) return { targets: toTargets(sameTable, 'table'), unresolved: false };
    // far from the function being checked (deep in mm/ or the block layer), a directory says little:
    // the mapping there may be the block device's, not this filesystem's (cramfs reading its superblock)
    if (hops > MAX_WEAK_HOPS) return { targets: [], unresolved: all.length > 0 };
    const sameDir = all.filter((c) => this.fns[c.fn].dir === entry.dir);
    if (sameDir.length) return { targets: toTargets(sameDir, 'directory'), unresolved: false };
    const distinct = new Set(all.map((c) => c.fn));
    if (distinct.size <= MAX_FANOUT && hops <= 1) return { targets: toTargets(all, 'few'), unresolved: false };
    return { targets: [], unresolved: all.length > 0 };
  }
}

/** A summary says the function does something with locks. */
export function busy(s: Summary | undefined): boolean {
  return (
    !!s &&
    (s.acquires.length > 0 ||
      s.effects.length > 0 ||
      s.deferred.length > 0 ||
      s.conditional.length > 0 ||
      s.forbidden.length > 0 ||
      !!s.sleeps)
  );
}
