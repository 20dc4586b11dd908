/**
 * The per-function pipeline, the one both the file analysis (file.ts) and the whole-tree analysis
 * (project.ts) run: the entry state (annotations and the VFS contract of the ops-table slots the
 * function fills), the solver, the checkers, the user's severity setting (applied here and only here),
 * the summary, and the counts. Plain data in and out; where callees' summaries and the targets of calls
 * through ops-table fields come from is the caller's business (`FunctionEnv`).
 */
import { type IndirectTarget, type LockFact, type ReclaimTake, type Summary, type TransferContext } from './absint';
import {
  budgetSummary,
  contractEffects,
  entryStateOf,
  isHeld,
  releasedFirst,
  solve,
  summarise,
  vfsEntryLocks,
} from './absint';
import type { Acquisition, EntryFact } from './absint';
import { type CheckOptions, runChecks } from './checks';
import { type FunctionIR, type OpsSlot, acquiredKeys } from './ir';
import {
  type Catalog,
  type FileStats,
  type Finding,
  type FindingKind,
  type HeldLock,
  type Settings,
  applySeverity,
  emptyStats,
  mergeStats,
  VFS_OPS_TYPES,
  RECLAIM_ENTRIES,
  scopeKind,
} from './model';
import type { Macros } from './syntax';
import { fsOfDir } from './syntax';

/** Locks held just before a statement, for hover. */
export interface StatePoint {
  line: number;
  column: number;
  held: HeldLock[];
}

/** Where a function's callees are looked up, and the settings it is checked with. */
export interface FunctionEnv {
  catalog: Catalog;
  /** Integer macros (of the file, or of the tree), to evaluate flag tests at call sites. */
  macros?: Macros;
  /** The user's `severity` setting. */
  severity: Settings['severity'];
  /** The summary of a callee named in the function, as resolved from its file. */
  summaryOf(name: string): Summary | undefined;
  /**
   * Candidates for a call through an ops-table field, ranked for this function (Linker.indirect); none without
   * a tree.
   */
  indirect?(field: string, hops: number, recvType?: string): { targets: IndirectTarget[]; unresolved: boolean };
  /** The ops-table slots the function is installed in: their VFS contract holds locks on entry. */
  slots: readonly OpsSlot[];
  /** The function's directory (`fs/btrfs`): binds the per-filesystem lock classes of its callees. */
  dir?: string;
  /** A callee specialised for the callbacks a call passes it (callbacks.ts); none without a tree. */
  specialize?(callee: string, args: readonly string[]): Summary | undefined;
  /** The page-fault handlers of the function's filesystem (TransferContext.faultHandlers). */
  faultHandlers?(): IndirectTarget[];
  /** The lock classes filesystem reclaim takes (TransferContext.reclaimTakes). */
  reclaimTakes?(): ReadonlyMap<string, ReclaimTake>;
  /** Task-state scopes every caller calls the function in (`memalloc_nofs`): held on entry. */
  entryScopes?: readonly string[];
  /** Every summary of the tree is known (the second pass, Project.treeChecks): no check waits any longer. */
  wholeTree?: boolean;
}

export interface FunctionOptions {
  /** False: solve and summarise only (the silent rounds over a recursive cycle). */
  check?: boolean;
  /** Keep the locks held before each statement and on entry (hover). */
  hover?: boolean;
  /** Observers of the lock-order graph and of call sites (CheckOptions). */
  observe?: Omit<CheckOptions, 'severity'>;
}

export interface FunctionAnalysis {
  summary: Summary;
  /** At the user's severity; kinds set to `off` are dropped. Empty when not checked. */
  findings: Finding[];
  /** Locks held before each statement, in source order (hover only). */
  points: StatePoint[];
  /** Locks the function expects its caller to hold (hover only). */
  entryHeld: HeldLock[];
  /** The function's part of its file's counts (lock sites modelled, constructs not modelled, state limit). */
  stats: FileStats;
  /** The ops-table fields its calls through pointers (or its callees') were resolved through. */
  fields: string[];
  /** Calls through ops-table fields with candidates but none ranked for this function. */
  indirectUnresolved: number;
  /**
   * The kinds whose check needed what the environment could not give yet (the page-fault handlers, the locks
   * reclaim takes, the summary of a callee inside the kernel's large recursive cycle): check the function again
   * for them once every summary of the tree is known.
   */
  recheck?: FindingKind[];
}

/** Solve, check and summarise one function. */
export function analyseFunction(ir: FunctionIR, env: FunctionEnv, opts: FunctionOptions = {}): FunctionAnalysis {
  const fields = new Set<string>();
  let indirectUnresolved = 0;
  const indirect = env.indirect;
  const ctx: TransferContext = {
    summaryOf: (n) => env.summaryOf(n),
    indirect: indirect
      ? (field, hops, recvType) => {
          fields.add(field);
          const r = indirect(field, hops, recvType);
          if (r.unresolved) indirectUnresolved++;
          return r.targets;
        }
      : undefined,
    assigned: ir.assigned,
    tainted: new Set(),
    locals: ir.locals,
    params: ir.params,
    acquiredKeys: acquiredKeys(ir),
    catalog: env.catalog,
    canon: ir.canon,
    macros: env.macros,
    ...vfsMethod(env.slots),
    home: homeOf(ir.file),
    fs: env.dir === undefined ? undefined : fsOfDir(env.dir),
    specialize: env.specialize,
    faultHandlers: env.faultHandlers,
    reclaimTakes: env.reclaimTakes,
    ...(env.wholeTree ? { wholeTree: true } : {}),
  };
  const recheck = new Set<FindingKind>();
  const contract = [...(env.slots.length ? vfsEntryLocks(ir, env.slots) : []), ...scopesOnEntry(env.entryScopes)];
  let entry = entryStateOf(ir, contract);
  let sol = solve(ir, entry, ctx);
  // a lock released before it is ever taken, on every path: the caller holds it; solve again from there
  const solved = indirectUnresolved;
  const first = releasedFirst(sol, ctx);
  indirectUnresolved = solved;
  if (first.length) {
    ctx.tainted.clear();
    indirectUnresolved = 0;
    entry = entryStateOf(ir, contract, first);
    sol = solve(ir, entry, ctx);
  }
  // (past the state bound the checks report nothing: runChecks suppresses a saturated function's findings)
  // a kind set to `off` needs nothing of the tree
  const observe = {
    ...opts.observe,
    needsTree: (kind: FindingKind) => {
      if (env.severity[kind] !== 'off') recheck.add(kind);
    },
  };
  const findings = opts.check === false ? [] : applySeverity(runChecks(sol, ctx, observe), env.severity);
  const summary = summarise(sol, ctx, first);
  // an op that unlocks what it is given by contract releases it, whatever its body shows
  if (env.slots.length) contractEffects(ir, env.slots, summary);
  const live = evictionView(ir, env.slots, ctx, contract);
  if (live) summary.reclaimAcquires = live;
  const cut = budgetSummary(summary);
  return {
    summary,
    findings,
    points: opts.hover ? statePoints(ir, sol.inStates, sol.order) : [],
    entryHeld: opts.hover ? heldOf(entry.locks, 'must') : [],
    stats: functionStats(ir, sol.limit, cut),
    fields: [...fields],
    indirectUnresolved,
    ...(recheck.size ? { recheck: [...recheck] } : {}),
  };
}

/** The directory of a file's filesystem: `fs/btrfs` for fs/btrfs/inode.c, the file's own directory otherwise. */
function homeOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'fs' && parts.length > 2 ? `fs/${parts[1]}` : parts.slice(0, -1).join('/');
}

/** The VFS method a function is installed as, if any (`foo_dir_inode_operations.rename`). */
function vfsMethod(slots: readonly OpsSlot[]): { entryPoint?: string } {
  const slot = slots.find((s) => s.type !== undefined && VFS_OPS_TYPES.has(s.type));
  return slot ? { entryPoint: `${slot.table}.${slot.field}` } : {};
}

/**
 * What an eviction entry (RECLAIM_ENTRIES `dying`: `->evict_inode`, `->destroy_inode`) takes when reclaim calls
 * it: on an inode that still has links (`inode->i_nlink` nonzero). Reclaim evicts only unused inodes left in the
 * cache, and an inode whose last link is gone is evicted at its last iput() instead, so what the entry does for
 * a deleted inode never runs under reclaim. Undefined for other functions.
 */
function evictionView(
  ir: FunctionIR,
  slots: readonly OpsSlot[],
  ctx: TransferContext,
  contract: EntryFact[],
): Acquisition[] | undefined {
  const dying = slots.some((sl) =>
    RECLAIM_ENTRIES.some((e) => e.dying?.includes(sl.field) && (!sl.type || sl.type === e.type)),
  );
  if (!dying || !ir.params.length) return undefined;
  const entry = entryStateOf(ir, contract);
  const facts = entry.facts.assume(`${ir.params[0]}->i_nlink`, true);
  if (!facts) return undefined;
  const quiet = { ...ctx, tainted: new Set<string>() };
  return summarise(solve(ir, { ...entry, facts }, quiet), quiet).acquires;
}

/** The task-state scopes its callers hold, as entry facts. */
function scopesOnEntry(keys: readonly string[] = []): EntryFact[] {
  return keys.flatMap((key) => {
    const kind = scopeKind(key);
    return kind
      ? [{ key, display: key, mode: 'excl' as const, kind, class: null, via: 'every caller is in this scope' }]
      : [];
  });
}

/**
 * The function's part of its file's counts: what its CFG modelled or not, and which budget stopped it: the
 * builder's or the solver's (nothing reported in it), or the summary's (its callers see part of it).
 */
function functionStats(ir: FunctionIR, limit: string | undefined, cut: string | undefined): FileStats {
  const stats = emptyStats();
  if (limit) stats.unmodelled['state-limit'] = 1;
  const at = { file: ir.file, function: ir.name, line: ir.site.line };
  const incomplete = [
    ...(ir.incomplete ? [{ ...at, reason: ir.incomplete }] : []),
    ...(limit && !ir.incomplete ? [{ ...at, reason: limit }] : []),
    ...(cut ? [{ ...at, reason: cut, part: 'summary' as const }] : []),
  ];
  if (incomplete.length) stats.incomplete = incomplete;
  return mergeStats(stats, { ...emptyStats(), lockSitesModelled: ir.lockSitesModelled, unmodelled: ir.unmodelled });
}

function heldOf(locks: ReadonlyMap<string, LockFact>, certainty: 'must' | 'may'): HeldLock[] {
  const out: HeldLock[] = [];
  for (const f of locks.values()) {
    if (!isHeld(f)) continue;
    out.push({
      instance: f.ref.display,
      class: f.ref.class,
      kind: f.ref.kind,
      mode: f.mode,
      certainty,
      ...(f.status === 'held' && f.site ? { site: { line: f.site.line, column: f.site.column } } : {}),
      via: f.via,
    });
  }
  return out;
}

function statePoints(
  ir: FunctionIR,
  inStates: { states: Map<string, { locks: ReadonlyMap<string, LockFact> }> }[],
  order: number[],
): StatePoint[] {
  const points: StatePoint[] = [];
  for (const id of order) {
    const node = ir.nodes[id];
    if (node.kind !== 'stmt' && node.kind !== 'return') continue;
    const states = [...inStates[id].states.values()];
    if (!states.length) continue;
    const count = new Map<string, { fact: LockFact; n: number }>();
    for (const s of states) {
      for (const [k, f] of s.locks) {
        if (!isHeld(f)) continue;
        const c = count.get(k);
        if (c) c.n++;
        else count.set(k, { fact: f, n: 1 });
      }
    }
    const held: HeldLock[] = [];
    for (const { fact, n } of count.values()) {
      held.push(...heldOf(new Map([['k', fact]]), n === states.length ? 'must' : 'may'));
    }
    points.push({ line: node.line, column: node.column, held });
  }
  return points.sort((a, b) => a.line - b.line || a.column - b.column);
}
