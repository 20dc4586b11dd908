/**
 * File analysis: parse, find functions and lock-primitive call sites with the queries, build the
 * CFG of each function that touches a lock (directly or through a same-file helper), solve it
 * callee-first so helpers' summaries apply at their calls, run the checkers, and keep per-statement
 * lock states for hover. The syntax tree is deleted before returning: only plain data leaves here.
 */
import * as path from 'node:path';
import type { Tree } from 'web-tree-sitter';
import { buildCfg } from './cfg';
import { functionName } from './syntax';
import { type Classifier, segmentFacts, topLevelDefs } from './syntax';
import { catalogFor, type Settings } from './model';
import type { Catalog } from './model';
import { runChecks } from './checks';
import { type LockFact, entryStateOf, isHeld, vfsEntryLocks } from './absint';
import { type FunctionIR, acquiredKeys } from './ir';
import { type Grammar, rejectReason } from './syntax';
import { type ExternalIndex, busy } from './link';
import { TypeTable } from './syntax';
import { suppressions, unsuppressed } from './checks';
import { Macros } from './syntax';
import { solve } from './absint';
import { type CachedFunction, type DocumentSession, lineRange, moveCached, moveSummary } from './session';
import { summarise } from './absint';
import type { Summary, TransferContext } from './absint';
import { type FileStats, type Finding, type HeldLock, emptyStats, severities } from './model';

export interface StatePoint { line: number; column: number; held: HeldLock[] }

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

export class Analyzer implements Classifier {
  readonly catalog: Catalog;
  private readonly loopMacros: Set<string>;
  private readonly lockNames: Set<string>;

  constructor(private readonly grammar: Grammar, private readonly opts: AnalyzeOptions) {
    this.catalog = opts.catalog ?? catalogFor(opts.settings);
    this.loopMacros = new Set(opts.settings.loopMacros);
    this.lockNames = new Set(this.catalog.lockNames());
  }

  isLock(name: string): boolean { return this.lockNames.has(name); }
  sleeper(name: string): boolean { return !!this.catalog.sleeper(name); }

  /**
   * `external`: the rest of the tree, indexed; `file` is then the path relative to its root. `only`:
   * analyse just these functions and their callers in the file (the others' summaries are the
   * index's), for re-summarising callers after a change elsewhere; the result holds only theirs.
   */
  analyzeText(text: string, file: string, external?: ExternalIndex, only?: ReadonlySet<string>): FileResult {
    const reason = rejectReason(text, this.opts.settings.maxFileSizeKB * 1024);
    if (reason) return { file, findings: [], functions: [], stats: emptyStats(), error: reason };
    let tree: Tree | null = null;
    try {
      tree = this.grammar.parser.parse(text);
      if (!tree) return { file, findings: [], functions: [], stats: emptyStats(), error: 'the parser returned no tree' };
      const r = this.analyzeTree(tree, text, file, external, undefined, only);
      return { ...r, findings: unsuppressed(r.findings, suppressions(text)) };
    } finally {
      tree?.delete();
    }
  }

  /**
   * An open document, incrementally: the session's tree (edited since) is reused by the parser, and
   * functions whose results still hold are not analysed again (see session.ts). Same results as
   * analyzeText on the same text.
   */
  analyzeDocument(session: DocumentSession, text: string, file: string, external?: ExternalIndex): FileResult {
    const reason = rejectReason(text, this.opts.settings.maxFileSizeKB * 1024);
    if (reason) { session.replaced(); return { file, findings: [], functions: [], stats: emptyStats(), error: reason }; }
    const old = session.tree;
    const tree = this.grammar.parser.parse(text, old ?? null);
    if (!tree) { session.replaced(); return { file, findings: [], functions: [], stats: emptyStats(), error: 'the parser returned no tree' }; }
    session.last.incrementalParse = !!old;
    // lines of this file in other files' summaries follow the edits (when the last analysis used this index too)
    if (external && session.index === external) external.linesMoved(file, session.pending);
    try {
      const r = this.analyzeTree(tree, text, file, external, session);
      return { ...r, findings: unsuppressed(r.findings, suppressions(text)) };
    } finally {
      session.settled(tree);
    }
  }

  private analyzeTree(tree: Tree, text: string, file: string, external?: ExternalIndex, session?: DocumentSession, only?: ReadonlySet<string>): FileResult {
    const stats = emptyStats();
    const defs = topLevelDefs(tree);
    const names = defs.map((d) => functionName(d));
    const byName = new Map<string, number>();
    names.forEach((n, i) => { if (n && !byName.has(n)) byName.set(n, i); });
    // lock sites and the same-file call relation (what an open document's edits left alone is not queried again)
    const { facts, lockSitesOutside } = segmentFacts(this.grammar.queries.calls, tree, text, defs, this, session?.segments);
    stats.lockSitesFound = facts.reduce((n, f) => n + f.lockSites, lockSitesOutside);
    const direct = new Set<number>();
    facts.forEach((f, i) => { if (f.direct) direct.add(i); });
    const calls: Set<string>[] = facts.map((f) => new Set(f.plain.filter((n) => byName.has(n))));
    /** Every name each function calls, defined here or not (for incremental reuse when the file's functions change). */
    const named: ReadonlySet<string>[] = facts.map((f) => f.named);
    // functions that touch a lock through same-file helpers too
    const relevant = new Set(direct);
    for (let changed = true; changed;) {
      changed = false;
      defs.forEach((_d, i) => {
        if (relevant.has(i)) return;
        for (const callee of calls[i]) {
          if (relevant.has(byName.get(callee)!)) { relevant.add(i); changed = true; return; }
        }
      });
    }
    // against an indexed tree, every function may reach a lock through another file
    if (external) defs.forEach((_d, i) => { if (names[i]) relevant.add(i); });
    const sameFile = new Set([...relevant].map((i) => names[i]).filter((n): n is string => !!n));
    const dir = path.posix.dirname(file);

    // callee-first order over the relevant functions
    const order: number[] = [];
    const state = new Uint8Array(defs.length);
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
    if (only) {
      // just these functions and their callers in this file (the rest of its summaries are the index's)
      const chosen = new Set(names.filter((n): n is string => !!n && only.has(n)));
      for (let grew = true; grew;) {
        grew = false;
        order.forEach((i) => { if (names[i] && !chosen.has(names[i]!) && [...calls[i]].some((c) => chosen.has(c))) { chosen.add(names[i]!); grew = true; } });
      }
      order.splice(0, order.length, ...order.filter((i) => names[i] && chosen.has(names[i]!)));
    }

    const summaries = new Map<string, Summary>();
    const findings: Finding[] = [];
    const infos: FunctionInfo[] = defs.map((d, i) => ({
      name: names[i] ?? '<anonymous>', line: d.startPosition.row + 1, endLine: d.endPosition.row + 1,
      hasParseErrors: d.hasError, analysed: false, points: [], entryHeld: [],
    }));
    stats.functions = defs.length;
    stats.functionsWithParseErrors = defs.filter((d) => d.hasError).length;
    const ctxBase = {
      catalog: this.catalog, file, loopMacros: this.loopMacros, indirectCalls: !!external,
      callable: (n: string) => sameFile.has(n) || busy(external?.summaryFrom(file, n)),
    };
    const types = new TypeTable();
    types.addTree(tree.rootNode);
    const macros = new Macros();
    macros.addTree(tree.rootNode);
    // what carries over from the last analysis of this document
    const namesNow = names.join('\n');
    // functions added, removed or duplicated since the last analysis: their callers are analysed again
    const changedNames = new Set<string>();
    if (session?.names !== undefined && session.names !== namesNow) {
      const count = (list: (string | undefined)[]) => { const m = new Map<string, number>(); for (const n of list) if (n) m.set(n, (m.get(n) ?? 0) + 1); return m; };
      const before = count(session.names.split('\n'));
      const after = count(names);
      for (const n of new Set([...before.keys(), ...after.keys()])) if (before.get(n) !== after.get(n)) changedNames.add(n);
    }
    // a same-file function that started or stopped touching locks changes how its callers' CFGs treat its calls
    if (session?.relevant) for (const n of new Set([...session.relevant, ...sameFile])) if (session.relevant.has(n) !== sameFile.has(n)) changedNames.add(n);
    // functions in other files whose behaviour changed since (by an edit there, or its propagation): their
    // callers here are analysed again, and so are the functions whose calls through a pointer (or their
    // callees') went through an ops-table field such a function is installed in
    const mark = external?.mark;
    const since = session?.index === external && external && session?.mark !== undefined ? external.changesSince(file, session.mark) : undefined;
    for (const n of since?.names ?? []) changedNames.add(n);
    const carry = !!session && session.names !== undefined && session.index === external;
    const before = carry ? session.functions : new Map<string, CachedFunction>();
    const cache = new Map<string, CachedFunction>();
    /** Functions whose summary changed in this analysis: their same-file callers are analysed again. */
    const redone = new Set<string>();
    let priorByName: Map<string, CachedFunction> | undefined;
    const prevByName = () => (priorByName ??= new Map([...before.values()].map((c) => [c.info.name, c])));
    let reused = 0;
    for (const i of order) {
      const key = session ? defs[i].text : '';
      const prior = session ? before.get(key) : undefined;
      const calleeRedone = [...calls[i]].some((c) => redone.has(c) || (relevant.has(byName.get(c)!) && !summaries.has(c)))
        || (changedNames.size > 0 && [...named[i]].some((c) => changedNames.has(c)))
        || (!!prior && !!since?.fields.size && prior.fields.some((f) => since.fields.has(f)));
      let moved: CachedFunction | undefined;
      if (prior && !calleeRedone && session!.unmoved(prior.lines[0], prior.lines[1])) moved = prior;
      else if (prior && !calleeRedone) {
        // moved, or an edit falls between lines it mentions: the precise map decides
        moved = moveCached(prior, file, (l) => session!.mapLine(l));
        if (moved) moved.lines = [session!.mapLine(prior.lines[0]) ?? moved.info.line, session!.mapLine(prior.lines[1]) ?? moved.info.endLine];
      }
      if (moved) {
        reused++;
        infos[i] = { ...moved.info, name: infos[i].name, line: infos[i].line, endLine: infos[i].endLine, hasParseErrors: infos[i].hasParseErrors };
        findings.push(...moved.findings);
        if (moved.summary && names[i] && !summaries.has(names[i]!)) summaries.set(names[i]!, moved.summary);
        stats.lockSitesModelled += moved.lockSitesModelled;
        for (const [k, v] of Object.entries(moved.unmodelled)) stats.unmodelled[k] = (stats.unmodelled[k] ?? 0) + v;
        if (moved.stateLimit) stats.unmodelled['state-limit'] = (stats.unmodelled['state-limit'] ?? 0) + 1;
        cache.set(key, moved);
        continue;
      }
      const ir = buildCfg(defs[i], ctxBase);
      types.classify(ir, types.variables(defs[i]));
      const self = external?.linker.resolve(file, ir.name);
      /** The ops-table fields its calls through pointers (its own, or its callees') were resolved through. */
      const fields = new Set<string>();
      const tctx: TransferContext = {
        summaryOf: (n) => summaries.get(n) ?? external?.summaryFrom(file, n),
        indirect: external ? (field, hops, recvType) => {
          fields.add(field);
          return external.linker.indirect(field, { id: self, dir }, hops, (id) => external.summary(id), recvType).targets;
        } : undefined,
        assigned: ir.assigned, tainted: new Set(), locals: ir.locals,
        acquiredKeys: acquiredKeys(ir), catalog: this.catalog, canon: ir.canon, macros,
      };
      const contract = external && self !== undefined ? vfsEntryLocks(ir, external.linker.slotsOf(self)) : [];
      const sol = solve(ir, entryStateOf(ir, contract), tctx);
      if (sol.saturated) stats.unmodelled['state-limit'] = (stats.unmodelled['state-limit'] ?? 0) + 1;
      const found = runChecks(sol, tctx, { severity: severities(this.opts.settings) })
        .filter((f) => this.opts.settings.severity[f.kind] !== 'off');
      findings.push(...found);
      const summary = summarise(sol, tctx);
      if (names[i] && !summaries.has(names[i]!)) summaries.set(names[i]!, summary);
      // same-file callers are redone only if what they see of this function changed (its lines moved aside)
      if (names[i]) {
        const old = carry ? prevByName().get(names[i]!) : undefined;
        const oldMoved = old?.summary ? moveSummary(old.summary, file, (l) => session!.mapLine(l)) : undefined;
        if (!oldMoved || JSON.stringify(oldMoved) !== JSON.stringify(summary)) redone.add(names[i]!);
      }
      stats.lockSitesModelled += ir.lockSitesModelled;
      for (const [k, v] of Object.entries(ir.unmodelled)) stats.unmodelled[k] = (stats.unmodelled[k] ?? 0) + v;
      infos[i].analysed = true;
      infos[i].points = statePoints(ir, sol.inStates, sol.order);
      infos[i].entryHeld = heldOf(entryStateOf(ir, contract).locks, 'must');
      if (session) {
        const lines = lineRange([summary, infos[i], found], file, infos[i].line, infos[i].endLine);
        cache.set(key, { lines, summary, info: infos[i], findings: found, lockSitesModelled: ir.lockSitesModelled, unmodelled: ir.unmodelled, stateLimit: sol.saturated, fields: [...fields] });
      }
    }
    if (session) {
      session.functions = cache;
      session.names = namesNow;
      session.relevant = sameFile;
      session.index = external;
      session.mark = mark;
      session.last = { ...session.last, reused, analysed: order.length - reused };
    }
    findings.sort((a, b) => a.line - b.line || a.column - b.column || a.kind.localeCompare(b.kind));
    return { file, findings, functions: infos, stats, summaries };
  }
}

function heldOf(locks: ReadonlyMap<string, LockFact>, certainty: 'must' | 'may'): HeldLock[] {
  const out: HeldLock[] = [];
  for (const f of locks.values()) {
    if (!isHeld(f)) continue;
    out.push({
      instance: f.ref.display, class: f.ref.class, kind: f.ref.kind, mode: f.mode, certainty,
      ...(f.status === 'held' && f.site ? { site: { line: f.site.line, column: f.site.column } } : {}),
      via: f.via,
    });
  }
  return out;
}

function statePoints(ir: FunctionIR, inStates: { states: Map<string, { locks: ReadonlyMap<string, LockFact> }> }[], order: number[]): StatePoint[] {
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
        if (c) c.n++; else count.set(k, { fact: f, n: 1 });
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

/** Locks held just before the statement at (line, column), for hover. */
/** The function whose definition spans `line` (1-based). */
export function functionAt(result: FileResult, line: number): FunctionInfo | undefined {
  return result.functions.find((f) => f.line <= line && line <= f.endLine);
}

export function locksAt(result: FileResult, line: number, column: number): { fn: FunctionInfo; held: HeldLock[] } | undefined {
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
