/**
 * File analysis: parse, find functions and lock-primitive call sites with the queries, decide which
 * functions touch a lock (directly or through a same-file helper; against a tree index, all of them),
 * and run the per-function pipeline (function.ts) over them callee-first, so that helpers' summaries
 * apply at their calls; then assemble the file's result (findings, hover states, summaries, counts).
 * The syntax tree is deleted before returning: only plain data leaves here. Results kept from an
 * earlier text of an edited document come in through `Reuse`, implemented above the engine.
 */
import * as path from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import type { Summary } from './absint';
import { buildCfg, expandPredicates, predicateTemplate, promoteAccessors } from './cfg';
import { textKey } from './ir';
import { suppressions, unsuppressed } from './checks';
import { type TreeView, busy, faultHandlers, reclaimTakes } from './link';
import type { ReclaimTake } from './absint';
import {
  type Catalog,
  type FileStats,
  type Finding,
  type HeldLock,
  type Settings,
  ConfigView,
  catalogFor,
  NOFAULT_SCOPE,
  NOFS_SCOPE,
  emptyStats,
  mergeStats,
} from './model';
import {
  type Classifier,
  type Grammar,
  type SegmentCache,
  Macros,
  TypeTable,
  functionDeclarator,
  functionName,
  isAccessorDef,
  normaliseLineBreaks,
  parameterNames,
  rejectReason,
  segmentFacts,
  topLevelDefs,
} from './syntax';
import { type FunctionEnv, type StatePoint, analyseFunction } from './function';

export type { StatePoint } from './function';

export interface FunctionInfo {
  name: string;
  line: number;
  endLine: number;
  hasParseErrors: boolean;
  /** Whether the lock engine ran on it (it touches a lock). */
  analysed: boolean;
  /** Locks held before each statement, in source order (analysed functions only). */
  points: StatePoint[];
  /** Locks this function expects its caller to hold (annotations, asserts, inferred releases). */
  entryHeld: HeldLock[];
}

export interface FileResult {
  file: string;
  findings: Finding[];
  functions: FunctionInfo[];
  stats: FileStats;
  /** Set when the file was not analysed at all (binary, too large, not parseable). */
  error?: string;
  /** The summaries of the functions defined here (to refresh a tree index after an edit). */
  summaries?: Map<string, Summary>;
}

export interface AnalyzeOptions {
  settings: Settings;
  catalog?: Catalog;
}

/** A function of the file being analysed, as a `Reuse` sees it. */
export interface FunctionSlot {
  /** Its exact text: what results are kept by. */
  text: string;
  name?: string;
  /** The same-file functions it calls. */
  calls: ReadonlySet<string>;
  /** Every name it calls, defined in this file or not. */
  named: ReadonlySet<string>;
  /** It calls a same-file function that touches locks and has no summary yet (they call each other). */
  calleePending: boolean;
}

/** A function's part of its file's result. */
export interface FunctionOutcome {
  info: FunctionInfo;
  summary?: Summary;
  /** At the user's severity. */
  findings: Finding[];
  /** Its part of the file's counts. */
  stats: FileStats;
  /** The ops-table fields its calls through pointers (or its callees') were resolved through. */
  fields: string[];
}

/**
 * Results kept from an earlier analysis of an edited text (incremental/ implements it). Asked for
 * each function, callee-first, before it is analysed; what it gives back is used as it is, so it must
 * be what analysing the function again would give (the contract is stated in incremental/index.ts).
 */
export interface Reuse {
  /** What the call query found in each stretch of the earlier text (segments.ts). */
  readonly segments?: SegmentCache;
  /**
   * Before any function: the file's function names in order, the same-file functions that touch locks, and
   * a key of what every function is analysed against besides its own text (the file's struct and typedef
   * table and its macros: an edit that breaks a brace can move a struct definition into a function body).
   */
  begin(names: readonly (string | undefined)[], relevant: ReadonlySet<string>, environment: string): void;
  /** A result still valid for `fn`, at its lines now; undefined: `fn` is analysed and `analysed` told the outcome. */
  reuse(fn: FunctionSlot): FunctionOutcome | undefined;
  analysed(fn: FunctionSlot, outcome: FunctionOutcome): void;
}

export interface FileOptions {
  /** The rest of the tree, indexed; the file's path is then relative to its root. */
  external?: TreeView;
  /**
   * Analyse just these functions and their callers in the file (the others' summaries are the
   * index's), for re-summarising callers after a change elsewhere; the result holds only theirs.
   */
  only?: ReadonlySet<string>;
  reuse?: Reuse;
}

/** A file that was not analysed at all. */
export function unanalysed(file: string, error: string): FileResult {
  return { file, findings: [], functions: [], stats: emptyStats(), error };
}

/** The functions of a parsed file, which of them to analyse, and in which order. */
interface FilePlan {
  defs: Node[];
  names: (string | undefined)[];
  byName: Map<string, number>;
  /** Per function, the same-file functions it calls. */
  calls: Set<string>[];
  /** Per function, every name it calls. */
  named: ReadonlySet<string>[];
  /** The functions that touch a lock, directly or through same-file helpers (by index, and by name). */
  relevant: Set<number>;
  sameFile: Set<string>;
  /** The functions to analyse, callee-first. */
  order: number[];
  lockSites: number;
}

/** What the functions of one file are analysed with. */
interface FileContext {
  file: string;
  dir: string;
  external?: TreeView;
  build: Parameters<typeof buildCfg>[1];
  types: TypeTable;
  macros: Macros;
  /** The summaries of the file's functions analysed so far. */
  summaries: Map<string, Summary>;
  /** Which names a call of resolves to an accessor (a function that only returns a part of a parameter). */
  accessor: (name: string) => boolean;
  /** The file's own accessors, by name (what an edit elsewhere in the file may change for a function). */
  accessors: string[];
  /** Which names a call of resolves to a predicate, and its test's template (cfg/predicates.ts). */
  predicate: (name: string) => string | undefined;
  /** The file's own predicates, as [name, template] (in the environment key, as accessors are). */
  predicates: [string, string][];
  /** The lock classes the tree's reclaim entries take, once asked for (the index's summaries, as they are now). */
  takes?: ReadonlyMap<string, ReclaimTake>;
}

export class Analyzer implements Classifier {
  readonly catalog: Catalog;
  private readonly loopMacros: Set<string>;
  private readonly config: ConfigView;
  private readonly lockNames: Set<string>;

  constructor(
    private readonly grammar: Grammar,
    private readonly opts: AnalyzeOptions,
  ) {
    this.catalog = opts.catalog ?? catalogFor(opts.settings);
    this.loopMacros = new Set(opts.settings.loopMacros);
    this.config = new ConfigView(opts.settings.kernelConfig);
    this.lockNames = new Set(this.catalog.lockNames());
  }

  isLock(name: string): boolean {
    return this.lockNames.has(name);
  }
  sleeper(name: string): boolean {
    return !!this.catalog.sleeper(name);
  }

  /** `external`, `only`: see FileOptions. */
  analyzeText(raw: string, file: string, external?: TreeView, only?: ReadonlySet<string>): FileResult {
    const text = normaliseLineBreaks(raw);
    const tree = this.parse(text);
    if (typeof tree === 'string') return unanalysed(file, tree);
    try {
      return this.analyzeTree(tree, text, file, { external, only });
    } finally {
      tree.delete();
    }
  }

  /**
   * Parse `text`, reusing `old` (the tree of an earlier text, edited since); a reason instead when it is not
   * analysed.
   */
  parse(text: string, old?: Tree): Tree | string {
    const reason = rejectReason(text, this.opts.settings.maxFileSizeKB * 1024);
    if (reason) return reason;
    return this.grammar.parser.parse(text, old ?? null) ?? 'the parser returned no tree';
  }

  /** Analyse a parsed text (the tree stays the caller's); suppression comments are applied. */
  analyzeTree(tree: Tree, text: string, file: string, opts: FileOptions = {}): FileResult {
    const { external, reuse } = opts;
    const p = this.plan(tree, text, opts);
    const stats: FileStats = { ...emptyStats(), lockSitesFound: p.lockSites };
    stats.functions = p.defs.length;
    stats.functionsWithParseErrors = p.defs.filter((d) => d.hasError).length;
    const infos: FunctionInfo[] = p.defs.map((d, i) => ({
      name: p.names[i] ?? '<anonymous>',
      line: d.startPosition.row + 1,
      endLine: d.endPosition.row + 1,
      hasParseErrors: d.hasError,
      analysed: false,
      points: [],
      entryHeld: [],
    }));
    const cx = this.context(tree, file, p, external);
    const findings: Finding[] = [];
    reuse?.begin(p.names, p.sameFile, reuse ? environmentKey(cx) : '');
    for (const i of p.order) {
      const slot = reuse ? slotOf(p, i, cx.summaries) : undefined;
      const kept = slot && reuse!.reuse(slot);
      const out = kept ?? this.analyseOne(p.defs[i], infos[i], cx);
      if (slot && !kept) reuse!.analysed(slot, out);
      const { name, line, endLine, hasParseErrors } = infos[i];
      infos[i] = kept ? { ...out.info, name, line, endLine, hasParseErrors } : out.info;
      findings.push(...out.findings);
      const n = p.names[i];
      if (out.summary && n && !cx.summaries.has(n)) cx.summaries.set(n, out.summary);
      mergeStats(stats, out.stats);
    }
    findings.sort((a, b) => a.line - b.line || a.column - b.column || a.kind.localeCompare(b.kind));
    return {
      file,
      findings: unsuppressed(findings, suppressions(text)),
      functions: infos,
      stats,
      summaries: cx.summaries,
    };
  }

  /** The functions, which touch locks, and the callee-first order to analyse them in. */
  private plan(tree: Tree, text: string, opts: FileOptions): FilePlan {
    const defs = topLevelDefs(tree, this.config);
    const names = defs.map((d) => functionName(d));
    const byName = new Map<string, number>();
    names.forEach((n, i) => {
      if (n && !byName.has(n)) byName.set(n, i);
    });
    // lock sites and the same-file call relation (what an open document's edits left alone is not queried again)
    const { facts, lockSitesOutside } = segmentFacts(
      this.grammar.queries.calls,
      tree,
      text,
      defs,
      this,
      opts.reuse?.segments,
    );
    const calls = facts.map((f) => new Set(f.plain.filter((n) => byName.has(n))));
    const relevant = relevance(
      facts.map((f) => f.direct),
      calls,
      byName,
    );
    // against an indexed tree, every function may reach a lock through another file
    if (opts.external)
      defs.forEach((_d, i) => {
        if (names[i]) relevant.add(i);
      });
    let order = calleeFirst(relevant, calls, byName);
    if (opts.only) order = callersOf(order, names, calls, opts.only);
    return {
      defs,
      names,
      byName,
      calls,
      named: facts.map((f) => f.named),
      relevant,
      order,
      sameFile: new Set([...relevant].map((i) => names[i]).filter((n): n is string => !!n)),
      lockSites: facts.reduce((n, f) => n + f.lockSites, lockSitesOutside),
    };
  }

  private context(tree: Tree, file: string, p: FilePlan, external?: TreeView): FileContext {
    const sameFile = p.sameFile;
    // accessors and predicates: the file's own definitions first (its statics shadow the tree's), then the tree's
    const mine = new Set<string>();
    const tests = new Map<string, string>();
    p.defs.forEach((d, i) => {
      const n = p.names[i];
      if (!n || p.byName.get(n) !== i) return;
      const params = parameterNames(functionDeclarator(d));
      if (isAccessorDef(d, params)) mine.add(n);
      const t = predicateTemplate(d, params);
      if (t) tests.set(n, t);
    });
    // the file's own definition of a name, else what the linked tree says of the one the call resolves to
    const linked = (n: string) => {
      const id = external?.linker.resolve(file, n);
      return id === undefined ? undefined : external?.data.fns[id];
    };
    const accessor = (n: string): boolean => (p.byName.has(n) ? mine.has(n) : !!linked(n)?.accessor);
    const predicate = (n: string): string | undefined => (p.byName.has(n) ? tests.get(n) : linked(n)?.predicate);
    // (environmentKey below must name everything built here that a function's analysis reads)
    const types = new TypeTable();
    types.addTree(tree.rootNode, file);
    const macros = new Macros();
    macros.addTree(tree.rootNode);
    const build = {
      catalog: this.catalog,
      file,
      loopMacros: this.loopMacros,
      config: this.config,
      indirectCalls: !!external,
      callable: (n: string) => sameFile.has(n) || busy(external?.summaryFrom(file, n)),
    };
    return {
      file,
      dir: path.posix.dirname(file),
      external,
      build,
      types,
      macros,
      summaries: new Map(),
      accessor,
      accessors: [...mine].sort(),
      predicate,
      predicates: [...tests].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    };
  }

  /** One function through the per-function pipeline, against the file's functions so far and the tree index. */
  private analyseOne(def: Node, info: FunctionInfo, cx: FileContext): FunctionOutcome {
    const { file, external, summaries } = cx;
    const ir = buildCfg(def, cx.build);
    promoteAccessors(ir, cx.accessor);
    expandPredicates(ir, cx.predicate);
    cx.types.classify(ir, cx.types.variables(def), cx.dir);
    const self = external?.linker.resolve(file, ir.name);
    const env: FunctionEnv = {
      catalog: this.catalog,
      macros: cx.macros,
      severity: this.opts.settings.severity,
      summaryOf: (n) => summaries.get(n) ?? external?.summaryFrom(file, n),
      indirect: external
        ? (field, hops, recvType) =>
            external.linker.indirect(field, { id: self, dir: cx.dir }, hops, (id) => external.summary(id), recvType)
        : undefined,
      slots: external && self !== undefined ? external.linker.slotsOf(self) : [],
      dir: cx.dir,
      ...(external
        ? {
            faultHandlers: () => faultHandlers(external.linker, cx.dir, (id) => external.summary(id)),
            reclaimTakes: () => (cx.takes ??= reclaimTakes(external.linker, (id) => external.summary(id))),
            entryScopes: scopesOfCallers(external, file, ir.name, self),
          }
        : {}),
    };
    const r = analyseFunction(ir, env, { hover: true });
    return {
      info: { ...info, analysed: true, points: r.points, entryHeld: r.entryHeld },
      summary: r.summary,
      findings: r.findings,
      stats: r.stats,
      fields: r.fields,
    };
  }
}

/**
 * The task-state scopes every caller of `name` holds at its calls, by the index (what callers hold, one call up):
 * none for a function in an ops table or without callers.
 */
function scopesOfCallers(tree: TreeView, file: string, name: string, id: number | undefined): string[] {
  const callers = tree.callersOf(file, name);
  if (id === undefined || !callers.length || tree.linker.tablesOf.has(id)) return [];
  return [NOFS_SCOPE, NOFAULT_SCOPE].filter((k) => callers.every((c) => c.held.includes(k)));
}

/** Function `i` as a Reuse sees it. */
function slotOf(p: FilePlan, i: number, summaries: ReadonlyMap<string, Summary>): FunctionSlot {
  return {
    text: p.defs[i].text,
    name: p.names[i],
    calls: p.calls[i],
    named: p.named[i],
    calleePending: [...p.calls[i]].some((c) => p.relevant.has(p.byName.get(c)!) && !summaries.has(c)),
  };
}

/** The functions that touch a lock directly (`direct`), or call one that does in the same file. */
function relevance(direct: boolean[], calls: Set<string>[], byName: ReadonlyMap<string, number>): Set<number> {
  const relevant = new Set<number>();
  direct.forEach((d, i) => {
    if (d) relevant.add(i);
  });
  for (let changed = true; changed;) {
    changed = false;
    calls.forEach((callees, i) => {
      if (relevant.has(i)) return;
      for (const callee of callees) {
        if (relevant.has(byName.get(callee)!)) {
          relevant.add(i);
          changed = true;
          return;
        }
      }
    });
  }
  return relevant;
}

/** The relevant functions, each after the same-file functions it calls (but in a cycle). */
function calleeFirst(
  relevant: ReadonlySet<number>,
  calls: Set<string>[],
  byName: ReadonlyMap<string, number>,
): number[] {
  const order: number[] = [];
  const state = new Uint8Array(calls.length);
  const visit = (i: number): void => {
    if (state[i]) return;
    state[i] = 1;
    for (const callee of calls[i]) {
      const j = byName.get(callee)!;
      if (relevant.has(j)) visit(j);
    }
    order.push(i);
  };
  for (const i of [...relevant].sort((a, b) => a - b)) visit(i);
  return order;
}

/** Of `order`, just the functions named in `only` and their callers in this file. */
function callersOf(
  order: number[],
  names: (string | undefined)[],
  calls: Set<string>[],
  only: ReadonlySet<string>,
): number[] {
  const chosen = new Set(names.filter((n): n is string => !!n && only.has(n)));
  for (let grew = true; grew;) {
    grew = false;
    order.forEach((i) => {
      const n = names[i];
      if (n && !chosen.has(n) && [...calls[i]].some((c) => chosen.has(c))) {
        chosen.add(n);
        grew = true;
      }
    });
  }
  return order.filter((i) => names[i] && chosen.has(names[i]!));
}

/** The function whose definition spans `line` (1-based). */
export function functionAt(result: FileResult, line: number): FunctionInfo | undefined {
  return result.functions.find((f) => f.line <= line && line <= f.endLine);
}

/** Locks held just before the statement at (line, column), for hover. */
export function locksAt(
  result: FileResult,
  line: number,
  column: number,
): { fn: FunctionInfo; held: HeldLock[] } | undefined {
  const fn = functionAt(result, line);
  if (!fn) return undefined;
  if (!fn.points.length) return { fn, held: [] };
  // the first statement starting on this line, else the last one before it
  const onLine = fn.points.find((p) => p.line === line);
  if (onLine) return { fn, held: onLine.held };
  let best: StatePoint | undefined;
  for (const p of fn.points) if (p.line < line || (p.line === line && p.column <= column)) best = p;
  return { fn, held: best?.held ?? fn.entryHeld };
}

/** A key of a file's type table and macros: functions analysed against another one are not reused. */
function environmentKey(cx: FileContext): string {
  const { fields, typedefs, returns, dirs } = cx.types.facts();
  const list = (m: ReadonlyMap<string, unknown>) => [...m].map(([k, v]) => [k, v instanceof Map ? [...v] : v]);
  return textKey(
    JSON.stringify([
      list(fields),
      list(typedefs),
      list(returns),
      list(dirs),
      [...cx.macros.entries()],
      cx.accessors,
      cx.predicates,
    ]),
  );
}
