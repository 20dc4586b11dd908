/**
 * Whole-tree analysis: every C file of a kernel tree's indexed roots is parsed once into per-function
 * IR (trees are deleted at once), then linked: calls resolved (static functions per file, then
 * global functions by the kernel's build: the caller's own unit, built-in code, exported symbols; then
 * static inlines from headers: link/linker.ts), calls through function-pointer fields resolved
 * from designated initialisers (`.fsync = btrfs_sync_file`), summaries computed bottom-up over the
 * strongly connected components of the call graph, and the checkers run with callee summaries and
 * indirect targets ranked for the function being checked (its own ops table first, then its
 * directory). Storing a function pointer is not a call, so completion callbacks start their own
 * context.
 */
import * as path from 'node:path';
import { type Deferred, type Summary, provisionalSummary, releasesItself } from './absint';
import { ScopeCalls } from './scopes';
import { memoSummary } from './memo';
import { treeChecks } from './treepass';
import { LockOrder, type OrderWitness, unsuppressed } from './checks';
import { graphFindings, graphKindsOn, orderSink } from './orderfeed';
import { Callbacks, Specialiser, asCallback, throughParam, withOwnIndirect } from './callbacks';
import type { FunctionIR, OpsSlot } from './ir';
import {
  Extractor,
  type FileRecord,
  Linker,
  busy,
  touchesLocks,
  rehydrate,
  sccOrder,
  type LinkFn,
  type TreeIndex,
} from './link';
import type { BuildFacts } from './link';
import {
  type Catalog,
  type FileStats,
  type Finding,
  type FindingKind,
  type Settings,
  catalogFor,
  emptyStats,
  mergeStats,
  VFS_UNLOCKING_FIELDS,
  vfsExit,
} from './model';
import {
  type Grammar,
  Macros,
  type StoredOrigins,
  TypeTable,
  expandAccessor,
  fieldAccessors,
  storedOrigins,
} from './syntax';
import { expandPredicates, promoteAccessors } from './cfg';
import { type FunctionEnv, type FunctionOptions, analyseFunction } from './function';

interface Fn {
  id: number;
  ir: FunctionIR;
  file: string;
  dir: string;
  vars: ReadonlyMap<string, string>;
}

const NO_VARS: ReadonlyMap<string, string> = new Map();

/** Silent summarising rounds over a recursive cycle before it is checked. */
const SCC_ROUNDS = 2;
/** Larger cycles (the kernel has one of thousands of functions) are summarised once. */
const MAX_SCC_ROUNDS_SIZE = 64;
/** How deep provisional summaries (of callees not summarised yet) analyse their own callees' bodies. */
const PROVISIONAL_DEPTH = 3;

/** Receives the locks a caller holds at a call it makes (by function id). */
type CallSiteSink = (caller: number, callee: number, held: string[]) => void;

export interface ProjectStats extends FileStats {
  files: number;
  indirectUnresolved: number;
}

export class Project {
  private readonly fns: Fn[] = [];
  /** What stands for a function not summarised yet (`provisional`), once computed. */
  private readonly provisionals = new Map<number, Summary | null>();
  private readonly slots: OpsSlot[] = [];
  private readonly fileStats = new Map<string, FileStats>();
  private readonly skipped: { file: string; reason: string }[] = [];
  private readonly catalog: Catalog;
  /** Struct fields, typedefs and return types of every file read: lock classes for any lock. */
  private readonly types = new TypeTable();
  /** Where the pages stored into each filesystem structure's fields come from (lockclass.ts), once classified. */
  private stored?: StoredOrigins;
  /** A call of a field accessor the tree defines, as the field it names (lockclass.ts `ClassEnv.expand`). */
  private expand?: (call: string, args: readonly string[]) => string | undefined;
  private readonly macros = new Macros();
  private classified = false;
  /** Per file, the names it exports (`EXPORT_SYMBOL`). */
  private readonly exports = new Map<string, Set<string>>();
  /** How the kernel's build links the files (kbuild.ts); none: every directory is one built-in unit. */
  private build: BuildFacts = new Map();
  /**
   * Told where a whole-tree analysis is: `linking` (calls resolved, the call graph ordered), then `checking`
   * with the functions analysed so far of all (every few hundred functions, synchronously: a reporter that
   * prints must do so from here, as no timer runs meanwhile).
   */
  onPhase?: (phase: 'linking' | 'checking', done: number, total: number) => void;

  /** `grammar` is needed only by addFile: records extracted elsewhere need none. */
  constructor(
    private readonly grammar: Grammar | undefined,
    private readonly settings: Settings,
  ) {
    this.catalog = catalogFor(settings);
  }

  get skippedFiles(): readonly { file: string; reason: string }[] {
    return this.skipped;
  }

  /** Parse one file into IR; `file` is its path relative to the tree root (POSIX). Returns a reason when skipped. */
  addFile(file: string, text: string): string | undefined {
    if (!this.grammar) throw new Error('Project.addFile needs a grammar (this project takes extracted records)');
    this.extractor ??= new Extractor(this.grammar, this.settings);
    const rec = rehydrate(this.extractor.extract(file, text));
    this.addRecord(rec);
    return rec.skipped;
  }

  private extractor?: Extractor;
  private readonly suppressed = new Map<string, Map<number, Set<string>>>();

  /**
   * Add one file's extracted record (from a worker, the cache, or addFile). Records must come in the
   * same order on every run (sorted paths): first definitions win, and function ids follow the order.
   */
  addRecord(rec: FileRecord): void {
    if (rec.skipped) {
      this.skipped.push({ file: rec.file, reason: rec.skipped });
      return;
    }
    if (rec.suppressed.size) this.suppressed.set(rec.file, rec.suppressed);
    if (rec.exports?.length) this.exports.set(rec.file, new Set(rec.exports));
    const dir = path.posix.dirname(rec.file);
    this.types.merge(rec.types);
    this.macros.merge(rec.macros);
    for (const f of rec.fns)
      this.fns.push({ id: this.fns.length, ir: f.ir, file: rec.file, dir, vars: f.vars ?? NO_VARS });
    this.slots.push(...rec.slots);
    this.fileStats.set(rec.file, rec.stats);
    this.classified = false;
  }

  /** How the kernel's build links the tree's files (read from its Kbuild files; see kbuild.ts). */
  setBuild(build: BuildFacts): void {
    this.build = build;
  }

  /** The linking view of every indexed function (no IR). */
  linkFns(): LinkFn[] {
    return this.fns.map((f) => {
      const b = this.build.get(f.file);
      return {
        id: f.id,
        name: f.ir.name,
        file: f.file,
        dir: f.dir,
        isStatic: f.ir.isStatic,
        callees: [...f.ir.callees],
        fieldCalls: [...f.ir.fieldCalls],
        line: f.ir.site.line,
        endLine: f.ir.site.endLine,
        ...(b && b.unit !== `${f.dir}/` ? { unit: b.unit } : {}),
        ...(b?.module ? { module: true } : {}),
        ...(b?.unbuilt ? { unbuilt: true } : {}),
        ...(!f.ir.isStatic && this.exports.get(f.file)?.has(f.ir.name) ? { exported: true } : {}),
        ...(f.ir.accessor ? { accessor: true } : {}),
        ...(f.ir.predicate ? { predicate: f.ir.predicate } : {}),
      };
    });
  }

  get opsSlots(): readonly OpsSlot[] {
    return this.slots;
  }

  /** Where function `f` finds its callees' summaries and ops-table targets: the linked tree, `summaries` so far. */
  private env(
    f: Fn,
    linker: Linker,
    summaries: ReadonlyMap<number, Summary>,
    settled?: ReadonlySet<number>,
    depth = 0,
  ): FunctionEnv {
    return {
      catalog: this.catalog,
      macros: this.macros,
      severity: this.settings.severity,
      summaryOf: (n) => {
        const t = linker.resolve(f.file, n);
        return t === undefined ? undefined : (summaries.get(t) ?? this.provisional(t, linker, summaries, depth));
      },
      indirect: (field, hops, recvType) =>
        linker.indirect(
          field,
          { id: f.id, dir: f.dir },
          hops,
          (t) => summaries.get(t),
          recvType,
          settled ? (t) => settled.has(t) : undefined,
        ),
      slots: linker.slotsOf(f.id),
      dir: f.dir,
    };
  }

  /** What checking `f` feeds: the locks held at its calls, the lock-order graph. */
  private observers(
    f: Fn,
    linker: Linker,
    lockOrder: LockOrder | undefined,
    callSite?: CallSiteSink,
  ): FunctionOptions['observe'] {
    return {
      callSite: callSite
        ? (callee, held) => {
            const t = linker.resolve(f.file, callee);
            if (t !== undefined) callSite(f.id, t, held);
          }
        : undefined,
      order:
        lockOrder &&
        orderSink(f, lockOrder, { macros: this.macros, types: this.types, stored: this.stored, expand: this.expand }),
    };
  }

  /**
   * A callee not summarised yet (the call closes a recursive cycle): the releases it declares or its own body
   * makes on every path, analysed once, on demand, against the summaries so far (`depth`: how many such analyses
   * this one is inside; past PROVISIONAL_DEPTH, a callee not summarised yet counts by its annotations only).
   * A body is analysed when it may release something: by itself, through an op that unlocks by contract, or
   * through a callee that does (`write_one_page` -> `folio_write_one` -> `->writepage`).
   */
  private provisional(
    id: number,
    linker: Linker,
    summaries: ReadonlyMap<number, Summary>,
    depth: number,
  ): Summary | undefined {
    const f = this.fns[id];
    if (
      !this.provisionals.has(id) &&
      (depth >= PROVISIONAL_DEPTH || !this.mayRelease(id, linker, summaries, PROVISIONAL_DEPTH - 1 - depth))
    )
      return provisionalSummary(f.ir);
    return memoSummary(this.provisionals, id, () => {
      const env = this.env(f, linker, summaries, undefined, depth + 1);
      return provisionalSummary(f.ir, analyseFunction(f.ir, env, { check: false }).summary);
    });
  }

  /**
   * May function `id` release a lock its caller holds: by itself (releasesItself), through an op that unlocks
   * by contract, or through a callee (summarised, with a release; or not yet, and it may, `hops` calls deep)?
   */
  private mayRelease(id: number, linker: Linker, summaries: ReadonlyMap<number, Summary>, hops: number): boolean {
    const f = this.fns[id];
    if (releasesItself(f.ir) || [...f.ir.fieldCalls].some((c) => VFS_UNLOCKING_FIELDS.has(c))) return true;
    if (hops <= 0) return false;
    for (const c of f.ir.callees) {
      const t = linker.resolve(f.file, c);
      if (t === undefined || t === id) continue;
      const s = summaries.get(t);
      if (s ? s.effects.some((e) => e.delta < 0) : this.mayRelease(t, linker, summaries, hops - 1)) return true;
    }
    return false;
  }

  /** Does `f` take a lock, or call something whose summary (so far) says it does? */
  private touches(f: Fn, linker: Linker, summaries: ReadonlyMap<number, Summary>): boolean {
    // installed where the VFS contract says it unlocks what it is given: its summary says so (contract.ts)
    if (linker.tablesOf.has(f.id) && linker.slotsOf(f.id).some((s) => vfsExit(s.type, s.field, f.ir.params.length)))
      return true;
    return touchesLocks(
      f.ir,
      (n) => linker.resolve(f.file, n),
      (t) => summaries.get(t),
      linker,
    );
  }

  /** Summarise the whole tree for per-file analysis elsewhere (the language server's index). */
  exportIndex(root: string): TreeIndex {
    return this.indexAndFindings(root, () => false).index;
  }

  /**
   * The whole tree analysed once, as plain data (it goes to the snapshot cache): the index, the findings
   * in every file (lock-order inversions aside: they depend on which files are reported, see
   * `findingsFor`), and what is needed to report on any subset of the files.
   */
  analysis(root: string): TreeAnalysis {
    const { index, findings, stats } = this.indexAndFindings(root, () => true);
    return {
      index,
      findings,
      indirectUnresolved: stats.indirectUnresolved,
      fileStats: new Map(this.fileStats),
      skipped: [...this.skipped],
      suppressed: new Map(this.suppressed),
    };
  }

  /** The index, and the findings in the files `report` accepts, from one analysis. */
  indexAndFindings(
    root: string,
    report: (file: string) => boolean,
  ): { index: TreeIndex; findings: Finding[]; stats: ProjectStats } {
    const summaries: (Summary | null)[] = this.fns.map(() => null);
    const hold = new Map<number, Map<number, Set<string>>>();
    let order: OrderWitness[] = [];
    const { findings, stats } = this.analyze(
      report,
      (_ir, s, id) => {
        if (busy(s)) summaries[id] = s;
      },
      {
        lockOrder: false,
        orderGraph: (w) => {
          order = w;
        },
        callSite: (caller, callee, held) => {
          let m = hold.get(callee);
          if (!m) {
            m = new Map();
            hold.set(callee, m);
          }
          const before = m.get(caller);
          m.set(caller, before ? new Set(held.filter((h) => before.has(h))) : new Set(held));
        },
      },
    );
    const callersHold: TreeIndex['callersHold'] = {};
    for (const [callee, m] of hold) {
      callersHold[callee] = [...m]
        .slice(0, 64)
        .map(([c, held]) => ({ caller: this.fns[c].ir.name, file: this.fns[c].file, held: [...held] }));
    }
    return {
      index: { root, fns: this.linkFns(), slots: [...this.slots], summaries, callersHold, order },
      findings,
      stats,
    };
  }

  /** Link, summarise bottom-up, and check; findings only for files `report` accepts. */
  analyze(
    report: (file: string) => boolean,
    onSummary?: (fn: FunctionIR, s: Summary, id: number) => void,
    opts: {
      lockOrder?: boolean;
      callSite?: CallSiteSink;
      /** Receives the lock-order graph's edges (built even where lock-order-inversion findings are off). */
      orderGraph?: (edges: OrderWitness[]) => void;
    } = {},
  ): { findings: Finding[]; stats: ProjectStats } {
    const wantOrder = opts.lockOrder !== false && graphKindsOn(this.settings);
    const lockOrder = new LockOrder();
    const observed = wantOrder || opts.orderGraph !== undefined ? lockOrder : undefined;
    const total = this.fns.length;
    this.onPhase?.('linking', 0, 4);
    this.provisionals.clear();
    this.onPhase?.('linking', 1, 4);
    const linker = new Linker(this.linkFns(), this.slots);
    this.classify(linker);
    this.onPhase?.('linking', 2, 4);
    const callbacks = new Callbacks(this.fns, (file, n) => linker.resolve(file, n));
    const edges = linker.edges();
    this.onPhase?.('linking', 3, 4);
    let done = 0;
    const summaries = new Map<number, Summary>();
    // functions whose summary is final (none: they take no lock); an ops target not in it is still pending
    const settled = new Set<number>();
    const callback = this.onDemand(linker, summaries, settled);
    const specialiser = this.specialiser(linker, callbacks, summaries, settled, observed, callback);
    const findings: Finding[] = [];
    let indirectUnresolved = 0;
    // functions to check again once the tree is summarised, with the kinds that wait for it
    const recheck = new Map<number, FindingKind[]>();
    const scopes = new ScopeCalls();
    const callSite: CallSiteSink = (caller, callee, held) => {
      scopes.add(caller, callee, held);
      opts.callSite?.(caller, callee, held);
    };
    // members of recursive cycles too large to be summarised in rounds: each is summarised once, maybe before
    // its own callees in the cycle
    const once = new Set<number>();
    const order = sccOrder(this.fns.length, edges);
    this.onPhase?.('checking', 0, total);
    for (const scc of order) {
      // a recursive cycle: summarise its members a few rounds first (silently), so each sees the others
      if ((scc.length > 1 && scc.length <= MAX_SCC_ROUNDS_SIZE) || edges[scc[0]].includes(scc[0]))
        this.presummarise(scc, linker, summaries);
      else if (scc.length > 1) for (const id of scc) once.add(id);
      for (const id of scc) {
        if (this.onPhase && ++done % 64 === 0) this.onPhase('checking', done, total);
        const f = this.fns[id];
        if (!this.touches(f, linker, summaries) && !callbacks.passesBusy(f.id, callback)) {
          settled.add(id);
          continue;
        }
        // every function feeds the lock-order graph; findings only where asked
        const env = { ...this.env(f, linker, summaries, settled), specialize: specialiser.for(id) };
        const r = analyseFunction(f.ir, env, { observe: this.observers(f, linker, observed, callSite) });
        indirectUnresolved += r.indirectUnresolved;
        // a member of a cycle summarised once may have been checked before its callees in the cycle were
        // summarised: what it reports is decided again in the whole-tree pass
        const again = once.has(id) ? [...new Set([...(r.recheck ?? []), ...r.findings.map((x) => x.kind)])] : r.recheck;
        if (report(f.file)) findings.push(...r.findings.filter((x) => !again?.includes(x.kind)));
        if (again?.length && report(f.file)) recheck.set(id, again);
        summaries.set(id, r.summary);
        settled.add(id);
        onSummary?.(f.ir, r.summary, id);
      }
    }
    findings.push(...this.secondPass(recheck, { linker, summaries, settled, scopes, once, specialiser }));
    opts.orderGraph?.(lockOrder.witnesses());
    if (wantOrder) findings.push(...graphFindings(lockOrder, this.settings, report));
    const stats = statsFor(this.fileStats, report, indirectUnresolved);
    return { findings: unsuppressedIn(findings, this.suppressed), stats };
  }

  /** Callees specialised for the callbacks passed to them (callbacks.ts), in this run's summaries. */
  private specialiser(
    linker: Linker,
    callbacks: Callbacks,
    summaries: ReadonlyMap<number, Summary>,
    settled: ReadonlySet<number>,
    observed: LockOrder | undefined,
    callback: (id: number) => Summary | undefined,
  ): Specialiser<Fn> {
    return new Specialiser(
      {
        fns: this.fns,
        resolve: (file, n) => linker.resolve(file, n),
        analyse: (g, bound, specialize) => {
          const base = this.env(g, linker, summaries, settled);
          const env: FunctionEnv = {
            ...base,
            summaryOf: (n) => {
              const b = bound.get(n);
              if (!b) return base.summaryOf(n);
              // its indirect calls resolved where it comes from: the function that names it
              const by = this.fns[b.by];
              const targets = (d: Deferred) =>
                linker.indirect(d.field, { id: by.id, dir: by.dir }, 0, (t) => summaries.get(t), d.recvType).targets;
              const cb = this.fns[b.fn];
              const step = {
                file: cb.file,
                line: cb.ir.site.line,
                column: cb.ir.site.column,
                function: cb.ir.name,
                note: `${n}() is ${cb.ir.name}(), passed by ${by.ir.name}()`,
              };
              return throughParam(asCallback(withOwnIndirect(callback(b.fn), targets)), step);
            },
            specialize,
          };
          return analyseFunction(g.ir, env, { observe: this.observers(g, linker, observed) }).summary;
        },
      },
      callbacks,
    );
  }

  /** The whole-tree pass (treepass.ts) over the functions that wait for it, with this run's summaries. */
  private secondPass(
    recheck: ReadonlyMap<number, FindingKind[]>,
    run: {
      linker: Linker;
      summaries: ReadonlyMap<number, Summary>;
      settled: ReadonlySet<number>;
      scopes: ScopeCalls;
      once: ReadonlySet<number>;
      specialiser: Specialiser<Fn>;
    },
  ): Finding[] {
    const baseEnv = (f: Fn) => this.env(f, run.linker, run.summaries, run.settled);
    return treeChecks(recheck, { ...run, fns: this.fns, baseEnv });
  }

  /**
   * A callback not summarised yet (the call graph does not order it before the function that passes it): its
   * body analysed on demand, silently, against the summaries so far.
   */
  private onDemand(linker: Linker, summaries: ReadonlyMap<number, Summary>, settled: ReadonlySet<number>) {
    const early = new Map<number, Summary | null>();
    const analyse = (f: Fn) => analyseFunction(f.ir, this.env(f, linker, summaries, settled), { check: false });
    return (id: number): Summary | undefined =>
      summaries.get(id) ?? memoSummary(early, id, () => analyse(this.fns[id]).summary);
  }

  /** Summarise the members of a recursive cycle a few rounds, unchecked, so that each sees the others. */
  private presummarise(scc: number[], linker: Linker, summaries: Map<number, Summary>): void {
    for (let round = 0; round < SCC_ROUNDS; round++) {
      for (const id of scc) {
        const f = this.fns[id];
        if (!this.touches(f, linker, summaries)) continue;
        summaries.set(id, analyseFunction(f.ir, this.env(f, linker, summaries), { check: false }).summary);
      }
    }
  }

  /** Lock classes for every function's locks, from the struct types of every file read. */
  private classify(linker: Linker): void {
    if (this.classified) return;
    // calls of functions the tree defines as accessors name their argument's object (cfg/accessors.ts)
    for (const f of this.fns) {
      const callee = (n: string) => {
        const t = linker.resolve(f.file, n);
        return t === undefined ? undefined : this.fns[t].ir;
      };
      promoteAccessors(f.ir, (n) => !!callee(n)?.accessor);
      // conditions that call a predicate the tree defines are facts about its test (cfg/predicates.ts)
      expandPredicates(f.ir, (n) => callee(n)?.predicate);
    }
    const accessors = fieldAccessors(this.fns.map((f) => f.ir));
    this.expand = (call, args) => expandAccessor(accessors.get(call), args);
    const envs = this.fns.map((f) => ({ ir: f.ir, vars: f.vars, types: this.types, expand: this.expand }));
    const stored = storedOrigins(envs);
    this.stored = stored;
    for (const f of this.fns) this.types.classify(f.ir, f.vars, f.dir, stored, this.expand);
    this.classified = true;
  }
}

/** A tree analysed as a whole: what `lockscope check` reports from and the language server links against. */
export interface TreeAnalysis {
  index: TreeIndex;
  /** In every file, suppression comments applied; lock-order inversions are not among them. */
  findings: Finding[];
  fileStats: Map<string, FileStats>;
  skipped: { file: string; reason: string }[];
  suppressed: Map<string, Map<number, Set<string>>>;
  indirectUnresolved: number;
}

/** The findings and counts for the files `report` accepts, inversions included when their severity is on. */
export function findingsFor(
  a: TreeAnalysis,
  settings: Settings,
  report: (file: string) => boolean,
): { findings: Finding[]; stats: ProjectStats } {
  const findings = a.findings.filter((f) => report(f.file));
  if (graphKindsOn(settings)) {
    const order = new LockOrder();
    for (const w of a.index.order ?? []) order.add(w);
    findings.push(...graphFindings(order, settings, report));
  }
  return {
    findings: unsuppressedIn(findings, a.suppressed),
    stats: statsFor(a.fileStats, report, a.indirectUnresolved),
  };
}

function statsFor(
  fileStats: ReadonlyMap<string, FileStats>,
  report: (file: string) => boolean,
  indirectUnresolved: number,
): ProjectStats {
  const stats: ProjectStats = { ...emptyStats(), files: 0, indirectUnresolved };
  for (const [file, s] of fileStats) {
    if (!report(file)) continue;
    stats.files++;
    mergeStats(stats, s);
  }
  return stats;
}

function unsuppressedIn(findings: Finding[], suppressed: ReadonlyMap<string, Map<number, Set<string>>>): Finding[] {
  const kept = findings.filter((f) => {
    const m = suppressed.get(f.file);
    return !m || unsuppressed([f], m).length > 0;
  });
  return kept.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
