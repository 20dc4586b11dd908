/**
 * Whole-tree analysis: every C file of a kernel tree's indexed roots is parsed once into per-function
 * IR (trees are deleted at once), then linked: calls resolved (static functions per file, then
 * global functions, then static inlines from headers), calls through function-pointer fields resolved
 * from designated initialisers (`.fsync = btrfs_sync_file`), summaries computed bottom-up over the
 * strongly connected components of the call graph, and the checkers run with callee summaries and
 * indirect targets ranked for the function being checked (its own ops table first, then its
 * directory). Storing a function pointer is not a call, so completion callbacks start their own
 * context.
 */
import * as path from 'node:path';
import type { Tree } from 'web-tree-sitter';
import { acquiredKeys, emptyStats, entryStateOf, nameOf, rejectReason, severities, topLevelDefs } from './analyze';
import { buildCfg } from './cfg';
import type { Catalog } from './catalog';
import { catalogFor, type Settings } from './config';
import { runChecks } from './checks';
import { LockOrder, lockClass } from './lockorder';
import type { FunctionIR } from './ir';
import type { Grammar } from './parser';
import { solve } from './solver';
import { summarise } from './summary';
import type { IndirectTarget, Summary, TransferContext } from './transfer';
import type { FileStats, Finding } from './types';

/** An ops-table slot: `.field = fn` inside the initialiser of `table`. */
export interface OpsSlot { table: string; field: string; fn: string; file: string }

interface Fn { id: number; ir: FunctionIR; file: string; dir: string }

/** Candidates beyond this many, with nothing to rank them by, are not followed (and counted). */
const MAX_FANOUT = 4;
/** Ranking by directory (not by ops table) only for indirect calls this many calls away or closer. */
const MAX_WEAK_HOPS = 2;
const MAX_VFS_HOPS = 8;
/** Ops the VFS and mm call back into a filesystem with (file, address_space, inode, super, vm, iomap). */
const VFS_FIELDS = new Set(['fsync', 'writepages', 'writepage', 'read_folio', 'readpage', 'readahead', 'write_begin',
  'write_end', 'direct_IO', 'invalidate_folio', 'release_folio', 'dirty_folio', 'page_mkwrite', 'fault', 'setattr',
  'write_iter', 'read_iter', 'fallocate', 'remap_file_range', 'evict_inode', 'write_inode', 'dirty_inode', 'sync_fs',
  'iomap_begin', 'iomap_end', 'end_io', 'submit_io']);

export interface ProjectStats extends FileStats {
  files: number;
  indirectUnresolved: number;
}

export class Project {
  private readonly fns: Fn[] = [];
  private readonly slots: OpsSlot[] = [];
  private readonly fileStats = new Map<string, FileStats>();
  private readonly skipped: { file: string; reason: string }[] = [];
  private readonly catalog: Catalog;
  private readonly loopMacros: Set<string>;
  private readonly lockNames: Set<string>;

  constructor(private readonly grammar: Grammar, private readonly settings: Settings) {
    this.catalog = catalogFor(settings);
    this.loopMacros = new Set(settings.loopMacros);
    this.lockNames = new Set(this.catalog.lockNames());
  }

  get skippedFiles(): readonly { file: string; reason: string }[] { return this.skipped; }

  /** Parse one file into IR; `file` is its path relative to the tree root (POSIX). Returns a reason when skipped. */
  addFile(file: string, text: string): string | undefined {
    const reason = rejectReason(text, this.settings.maxFileSizeKB * 1024);
    if (reason) { this.skipped.push({ file, reason }); return reason; }
    let tree: Tree | null = null;
    try {
      tree = this.grammar.parser.parse(text);
      if (!tree) { this.skipped.push({ file, reason: 'no tree' }); return 'the parser returned no tree'; }
      this.extract(tree, file);
      return undefined;
    } finally {
      tree?.delete();
    }
  }

  private extract(tree: Tree, file: string): void {
    const stats = emptyStats();
    const defs = topLevelDefs(this.grammar, tree);
    stats.functions = defs.length;
    stats.functionsWithParseErrors = defs.filter((d) => d.hasError).length;
    for (const c of this.grammar.queries.calls.captures(tree.rootNode)) {
      if ((c.name === 'guard' && c.node.text === 'guard') || (c.name === 'name' && (this.lockNames.has(c.node.text) || c.node.text === 'scoped_guard'))) {
        stats.lockSitesFound++;
      }
    }
    const ctx = {
      catalog: this.catalog, file, loopMacros: this.loopMacros, indirectCalls: true,
      callable: (n: string) => !this.catalog.primitive(n) && !this.catalog.assertMacro(n),
    };
    const dir = path.posix.dirname(file);
    for (const d of defs) {
      if (!nameOf(d)) continue;
      const ir = buildCfg(d, ctx);
      stats.lockSitesModelled += ir.lockSitesModelled;
      for (const [k, v] of Object.entries(ir.unmodelled)) stats.unmodelled[k] = (stats.unmodelled[k] ?? 0) + v;
      this.fns.push({ id: this.fns.length, ir, file, dir });
    }
    // ops tables: `static const struct file_operations btrfs_file_operations = { .fsync = btrfs_sync_file, ... };`
    for (const m of this.grammar.queries.initializers.matches(tree.rootNode)) {
      const field = m.captures.find((c) => c.name === 'field')?.node.text;
      const fn = m.captures.find((c) => c.name === 'value')?.node.text;
      const pair = m.captures.find((c) => c.name === 'pair')?.node;
      if (!field || !fn || !pair) continue;
      let decl = pair.parent;
      while (decl && decl.type !== 'init_declarator') decl = decl.parent;
      const table = decl ? (decl.childForFieldName('declarator')?.text ?? '').replace(/[[\]\s*]/g, '') : '';
      this.slots.push({ table: table || `${file}:${pair.startPosition.row + 1}`, field, fn, file });
    }
    this.fileStats.set(file, stats);
  }

  /** Link, summarise bottom-up, and check; findings only for files `report` accepts. */
  analyze(report: (file: string) => boolean, onSummary?: (fn: FunctionIR, s: Summary) => void): { findings: Finding[]; stats: ProjectStats } {
    const fns = this.fns;
    // symbols: static per file, global, static inline in headers
    const statics = new Map<string, Map<string, number>>();
    const globals = new Map<string, number>();
    const inlines = new Map<string, number>();
    for (const f of fns) {
      if (f.ir.isStatic) {
        let m = statics.get(f.file);
        if (!m) { m = new Map(); statics.set(f.file, m); }
        if (!m.has(f.ir.name)) m.set(f.ir.name, f.id);
        if (f.file.endsWith('.h') && !inlines.has(f.ir.name)) inlines.set(f.ir.name, f.id);
      } else if (!globals.has(f.ir.name)) {
        globals.set(f.ir.name, f.id);
      }
    }
    const resolve = (file: string, name: string): number | undefined =>
      statics.get(file)?.get(name) ?? globals.get(name) ?? inlines.get(name);
    const byField = new Map<string, { fn: number; slot: OpsSlot }[]>();
    const tablesOf = new Map<number, Set<string>>();
    for (const slot of this.slots) {
      const fn = resolve(slot.file, slot.fn);
      if (fn === undefined) continue;
      const list = byField.get(slot.field) ?? [];
      list.push({ fn, slot });
      byField.set(slot.field, list);
      const t = tablesOf.get(fn) ?? new Set<string>();
      t.add(slot.table);
      tablesOf.set(fn, t);
    }

    // the call graph (direct calls, and every candidate of each field called), callees first
    const edges: number[][] = fns.map((f) => {
      const out = new Set<number>();
      for (const c of f.ir.callees) { const t = resolve(f.file, c); if (t !== undefined && t !== f.id) out.add(t); }
      for (const field of f.ir.fieldCalls) for (const c of byField.get(field) ?? []) if (c.fn !== f.id) out.add(c.fn);
      return [...out];
    });
    const order = sccOrder(fns.length, edges);
    const callers: number[][] = fns.map(() => []);
    fns.forEach((f) => { for (const c of f.ir.callees) { const t = resolve(f.file, c); if (t !== undefined && t !== f.id) callers[t].push(f.id); } });

    const summaries = new Map<number, Summary>();
    const findings: Finding[] = [];
    const lockOrder = new LockOrder();
    let indirectUnresolved = 0;
    const severity = severities(this.settings);
    for (const scc of order) {
      for (const id of scc) {
        const f = fns[id];
        const ir = f.ir;
        if (!touchesLocks(ir, f.file, resolve, summaries, byField)) continue;
        let mine: Set<string> | null | undefined;
        const tctx: TransferContext = {
          summaryOf: (n) => { const t = resolve(f.file, n); return t === undefined ? undefined : summaries.get(t); },
          indirect: (field, hops) => {
            mine ??= contextTables(id, fns, callers, tablesOf) ?? null;
            const r = rank(field, f, byField, mine ?? undefined, fns, summaries, hops);
            if (r.unresolved) indirectUnresolved++;
            return r.targets;
          },
          assigned: ir.assigned, tainted: new Set(), locals: ir.locals, acquiredKeys: acquiredKeys(ir), catalog: this.catalog, canon: ir.canon,
        };
        const sol = solve(ir, entryStateOf(ir), tctx);
        // every function feeds the lock-order graph; findings only where asked
        const checked = runChecks(sol, tctx, {
          severity,
          order: ({ held, taken, site, path: p }) => {
            const from = lockClass(held.ref, f.dir);
            const to = lockClass(taken, f.dir);
            if (!from || !to || from === to) return;
            lockOrder.add({ from, to, held: held.ref.display, taken: taken.display, file: f.file, fn: ir.name, line: site.line, column: site.column, path: p });
          },
        });
        if (report(f.file)) findings.push(...checked.filter((x) => this.settings.severity[x.kind] !== 'off'));
        const sum = summarise(sol, tctx);
        summaries.set(id, sum);
        onSummary?.(ir, sum);
      }
    }
    if (this.settings.severity['lock-order-inversion'] !== 'off') {
      findings.push(...lockOrder.inversions(report, severity['lock-order-inversion'] ?? 'warning'));
    }
    const stats: ProjectStats = { ...emptyStats(), files: 0, indirectUnresolved };
    for (const [file, s] of this.fileStats) {
      if (!report(file)) continue;
      stats.files++;
      stats.functions += s.functions;
      stats.functionsWithParseErrors += s.functionsWithParseErrors;
      stats.lockSitesFound += s.lockSitesFound;
      stats.lockSitesModelled += s.lockSitesModelled;
      for (const [k, v] of Object.entries(s.unmodelled)) stats.unmodelled[k] = (stats.unmodelled[k] ?? 0) + v;
    }
    findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    return { findings, stats };
  }
}

/** Does the function take a lock, or call something whose summary says it does? */
function touchesLocks(ir: FunctionIR, file: string, resolve: (file: string, name: string) => number | undefined,
  summaries: Map<number, Summary>, byField: Map<string, { fn: number }[]>): boolean {
  for (const n of ir.nodes) {
    if (n.ops.some((o) => o.k === 'acquire' || o.k === 'release' || o.k === 'assert' || o.k === 'downgrade')) return true;
    if (n.succ.some((e) => e.guard?.acquire)) return true;
  }
  const busy = (s: Summary | undefined) => !!s && (s.acquires.length > 0 || s.effects.length > 0 || s.deferred.length > 0 || s.conditional.length > 0);
  for (const c of ir.callees) { const t = resolve(file, c); if (t !== undefined && busy(summaries.get(t))) return true; }
  for (const field of ir.fieldCalls) if ((byField.get(field) ?? []).some((c) => busy(summaries.get(c.fn)))) return true;
  return false;
}

/**
 * Targets of `->field(...)` for the function being checked: the members of its own ops tables
 * first (a write that began in btrfs_file_operations.write_iter reaches btrfs_file_operations.fsync),
 * then those in its directory, then all of them if they are few.
 */
function rank(field: string, entry: Fn, byField: Map<string, { fn: number; slot: OpsSlot }[]>, mine: Set<string> | undefined,
  fns: Fn[], summaries: Map<number, Summary>, hops: number): { targets: IndirectTarget[]; unresolved: boolean } {
  const all = byField.get(field) ?? [];
  const toTargets = (list: typeof all) => {
    const seen = new Set<number>();
    return list.filter((c) => (seen.has(c.fn) ? false : (seen.add(c.fn), true)))
      .map((c) => ({ summary: summaries.get(c.fn) ?? emptySummary(fns[c.fn].ir.name), via: `${c.slot.table}.${field}` }));
  };
  const sameTable = mine ? all.filter((c) => mine.has(c.slot.table)) : [];
  if (sameTable.length) return { targets: toTargets(sameTable), unresolved: false };
  // far from the function being checked (deep in mm/ or the block layer), a directory says little,
  // except for the VFS's own ops that the core calls back into the filesystem with
  if (hops > (VFS_FIELDS.has(field) ? MAX_VFS_HOPS : MAX_WEAK_HOPS)) return { targets: [], unresolved: all.length > 0 };
  const sameDir = all.filter((c) => fns[c.fn].dir === entry.dir);
  if (sameDir.length) return { targets: toTargets(sameDir), unresolved: false };
  const distinct = new Set(all.map((c) => c.fn));
  if (distinct.size <= MAX_FANOUT && hops <= 1) return { targets: toTargets(all), unresolved: false };
  return { targets: [], unresolved: all.length > 0 };
}

function emptySummary(name: string): Summary {
  return { name, acquires: [], deferred: [], effects: [], conditional: [] };
}

/**
 * The ops tables a function acts for: its own, or those of the functions in its directory that call
 * it (up to three calls up), so that ext4_dio_write_iter, called from ext4_file_operations.write_iter,
 * resolves ->fsync to ext4_file_operations.fsync.
 */
function contextTables(id: number, fns: Fn[], callers: number[][], tablesOf: Map<number, Set<string>>): Set<string> | undefined {
  const out = new Set<string>(tablesOf.get(id) ?? []);
  let frontier = [id];
  const seen = new Set(frontier);
  for (let depth = 0; depth < 3 && !out.size; depth++) {
    const next: number[] = [];
    for (const f of frontier) {
      for (const c of callers[f]) {
        if (seen.has(c) || fns[c].dir !== fns[id].dir) continue;
        seen.add(c);
        next.push(c);
        for (const t of tablesOf.get(c) ?? []) out.add(t);
      }
    }
    frontier = next;
  }
  return out.size ? out : undefined;
}

/** Strongly connected components, callees before callers (iterative Tarjan). */
export function sccOrder(n: number, edges: number[][]): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root); onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      if (i < edges[v].length) {
        top[1]++;
        const w = edges[v][i];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push(w); onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
      } else {
        work.pop();
        if (work.length) { const p = work[work.length - 1][0]; low[p] = Math.min(low[p], low[v]); }
        if (low[v] === index[v]) {
          const comp: number[] = [];
          let w: number;
          do { w = stack.pop()!; onStack[w] = 0; comp.push(w); } while (w !== v);
          out.push(comp);
        }
      }
    }
  }
  return out;
}
