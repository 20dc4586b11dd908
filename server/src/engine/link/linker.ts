/**
 * Linking a tree's functions: which definition a call names from a given file (see `resolve`: the
 * file's static functions, then the global functions of the caller's own unit as the kernel's build
 * links them, then built-in ones, then those another module exports, then static inlines in headers),
 * which functions an ops-table field may call (`.fsync = btrfs_sync_file`), and how to rank those for
 * the function being checked. The analysis, hover, call hierarchy and `report` all resolve through
 * this one linker. Plain data in (serialisable, so an index built in a worker thread can be linked on
 * the main thread).
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
  /** Its body only returns a pure test of its parameters, as a template (FunctionIR.predicate). */
  predicate?: string;
  /** Where it is defined (1-based lines), for call hierarchy. */
  line?: number;
  endLine?: number;
  /** The object the build links its file into (kbuild.ts); undefined: its directory. */
  unit?: string;
  /** That object can be a loadable module. */
  module?: boolean;
  /** No build file names its file: not part of the kernel as built. */
  unbuilt?: boolean;
  /** `EXPORT_SYMBOL`ed by its file: a module's interface, callable from other modules. */
  exported?: boolean;
}

/** The unit of a function's file (its directory when the build says nothing). */
export const unitOf = (f: { unit?: string; dir: string }): string => f.unit ?? `${f.dir}/`;

const dirOf = (file: string): string => {
  const i = file.lastIndexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
};

/** Candidates beyond this many, with nothing to rank them by, are not followed (and counted). */
const MAX_FANOUT = 4;
/** Ranking by directory (not by ops table) only for indirect calls this many calls away or closer. */
const MAX_WEAK_HOPS = 2;
export function emptySummary(name: string): Summary {
  return { name, acquires: [], deferred: [], forbidden: [], requires: [], effects: [], conditional: [] };
}

export class Linker {
  private readonly statics = new Map<string, Map<string, number>>();
  /** Definitions by name, in path order. */
  private readonly globals = new Map<string, number[]>();
  private readonly inlines = new Map<string, number[]>();
  /** Unit of each file that defines a function. */
  private readonly units = new Map<string, string>();
  /** Resolutions of a global name from a unit. */
  private readonly memo = new Map<string, number | null>();
  readonly byField = new Map<string, { fn: number; slot: OpsSlot }[]>();
  readonly tablesOf = new Map<number, Set<string>>();
  readonly callers: number[][];
  private readonly contexts = new Map<number, Set<string> | null>();

  constructor(
    readonly fns: readonly LinkFn[],
    slots: readonly OpsSlot[],
  ) {
    const add = (m: Map<string, number[]>, f: LinkFn) => {
      const list = m.get(f.name);
      if (!list) m.set(f.name, [f.id]);
      else if (!list.some((o) => fns[o].file === f.file)) list.push(f.id); // first definition in a file wins
    };
    for (const f of fns) {
      if (!this.units.has(f.file)) this.units.set(f.file, unitOf(f));
      if (f.isStatic) {
        let m = this.statics.get(f.file);
        if (!m) {
          m = new Map();
          this.statics.set(f.file, m);
        }
        if (!m.has(f.name)) m.set(f.name, f.id);
        if (f.file.endsWith('.h')) add(this.inlines, f);
      } else add(this.globals, f);
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

  /**
   * The definition a call of `name` from `file` (tree-relative) links to, following the kernel's build:
   *   1. a static function of the file;
   *   2. a global function of the caller's own unit (the object its directory's build file links it
   *      into: two filesystems that are separate modules may each define one of the same name);
   *   3. a global function built into the kernel (a unit that cannot be a module: fs/*.c, mm/, block/);
   *   4. a global function another module exports (ext4 calling jbd2);
   *   5. a static inline from a header, the caller's unit's headers first (after the globals: a header's
   *      inline stub stands in for a function only configurations without it lack);
   *   6. a global function of another module that does not export it (it links only when both are built
   *      in) or of a file no build file names, if one unit defines it; several: not resolved (a guess
   *      between two filesystems' private functions is worse than none).
   * Within a step the first in path order wins (configuration alternatives: mm/slab.c and mm/slub.c).
   */
  resolve(file: string, name: string): number | undefined {
    const own = this.statics.get(file)?.get(name);
    if (own !== undefined) return own;
    const unit = this.units.get(file) ?? `${dirOf(file)}/`;
    const key = `${unit}\u0000${name}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.global(unit, name) ?? this.inline(unit, name) ?? this.lastResort(name);
    this.memo.set(key, found ?? null);
    return found;
  }

  private global(unit: string, name: string): number | undefined {
    const list = this.globals.get(name);
    if (!list) return undefined;
    if (list.length === 1) {
      const f = this.fns[list[0]];
      return unitOf(f) === unit || (!f.module && !f.unbuilt) || f.exported ? f.id : undefined;
    }
    return (
      list.find((id) => unitOf(this.fns[id]) === unit) ??
      list.find((id) => !this.fns[id].module && !this.fns[id].unbuilt) ??
      list.find((id) => this.fns[id].exported && !this.fns[id].unbuilt)
    );
  }

  private inline(unit: string, name: string): number | undefined {
    const list = this.inlines.get(name);
    return list && (list.find((id) => unitOf(this.fns[id]) === unit) ?? list[0]);
  }

  private lastResort(name: string): number | undefined {
    const list = this.globals.get(name);
    if (!list) return undefined;
    const units = new Set(list.map((id) => unitOf(this.fns[id])));
    return units.size === 1 || list.length === 1 ? list[0] : undefined;
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
   * The functions `->field(...)` may call when made on behalf of the function being checked (`entry`, or
   * just its directory when it is not in the index): the members of its own ops tables first (a write
   * that began in btrfs_file_operations.write_iter reaches btrfs_file_operations.fsync), then those in
   * its directory, then all of them if they are few. `hops`: how many calls below `entry` the indirect
   * call is made. The one ranking for the analysis, hover, call hierarchy and `report`.
   */
  targetsOf(
    field: string,
    entry: { id?: number; dir: string },
    hops: number,
    recvType?: string,
  ): { targets: { fn: number; via: string; by: 'table' | 'directory' | 'few' }[]; unresolved: boolean } {
    // through a known ops struct (`file->f_op` is a struct file_operations), only its tables count
    const all = (this.byField.get(field) ?? []).filter((c) => !recvType || !c.slot.type || c.slot.type === recvType);
    const pick = (list: typeof all, by: 'table' | 'directory' | 'few') => {
      const seen = new Set<number>();
      return list
        .filter((c) => (seen.has(c.fn) ? false : (seen.add(c.fn), true)))
        .map((c) => ({ fn: c.fn, via: `${c.slot.table}.${field}`, by }));
    };
    const mine = entry.id === undefined ? undefined : this.contextTables(entry.id);
    const sameTable = mine ? all.filter((c) => mine.has(c.slot.table)) : [];
    if (sameTable.length) return { targets: pick(sameTable, 'table'), unresolved: false };
    // far from the function being checked (deep in mm/ or the block layer), a directory says little:
    // the mapping there may be the block device's, not this filesystem's (cramfs reading its superblock)
    if (hops > MAX_WEAK_HOPS) return { targets: [], unresolved: all.length > 0 };
    const sameDir = all.filter((c) => this.fns[c.fn].dir === entry.dir);
    if (sameDir.length) return { targets: pick(sameDir, 'directory'), unresolved: false };
    const distinct = new Set(all.map((c) => c.fn));
    if (distinct.size <= MAX_FANOUT && hops <= 1) return { targets: pick(all, 'few'), unresolved: false };
    return { targets: [], unresolved: all.length > 0 };
  }

  /** `targetsOf` with each target's summary (`summaryOf`; `settled`: whether a missing one is final). */
  indirect(
    field: string,
    entry: { id?: number; dir: string },
    hops: number,
    summaryOf: (id: number) => Summary | undefined,
    recvType?: string,
    settled: (id: number) => boolean = () => true,
  ): { targets: IndirectTarget[]; unresolved: boolean } {
    const r = this.targetsOf(field, entry, hops, recvType);
    return {
      unresolved: r.unresolved,
      targets: r.targets.map((t) => {
        const s = summaryOf(t.fn);
        return {
          summary: s ?? emptySummary(this.fns[t.fn].name),
          via: t.via,
          by: t.by,
          ...(s || settled(t.fn) ? {} : { pending: true }),
        };
      }),
    };
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
      s.requires.length > 0 ||
      !!s.sleeps ||
      !!s.sleepsIf?.length ||
      !!s.faults ||
      !!s.reclaims ||
      !!s.retFacts?.length ||
      !!s.stores?.length)
  );
}
