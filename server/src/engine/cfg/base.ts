/**
 * The CFG builder's foundation: the context, the graph under construction and its plumbing
 * (nodes, edges, the current point, scopes with their guards), and small syntax helpers.
 * cfg-expr.ts lowers expressions and conditions on top of it; cfg.ts lowers statements.
 */
import type { Node } from 'web-tree-sitter';
import type { Catalog, ConfigView } from '../model';
import type { CfgNode, EdgeGuard, FunctionIR, Op, RetClass, Site } from '../ir';
import { constantTruth, functionDeclarator, functionName, parameterNames, readAnnotations } from '../syntax';
import { Aliases, isAccessorDef } from '../syntax';
import { predicateTemplate } from './predicates';
import { applyTemplate, displayOfKey, keyOfPointer, normaliseExpr } from '../ir';

/**
 * Budgets for what input drives: a function nested deeper than the recursive walks can take, or with a CFG
 * larger than the solver should iterate, is not analysed; it is reported as incomplete (never skipped in
 * silence). Real kernel functions stay far below both (Linux 6.1 fs/: none hits them).
 */
export const BUDGET = { nesting: 1000, cfgNodes: 200_000 };

/** Thrown inside the builder when a budget is hit; build() turns it into an incomplete, empty function. */
export class BudgetExceeded extends Error {}

export interface BuildContext {
  catalog: Catalog;
  file: string;
  /** Functions whose calls become call operations (summaries may apply); others only escape. */
  callable(name: string): boolean;
  /** Calls through function-pointer fields become `icall` operations (whole-tree analysis). */
  indirectCalls?: boolean;
  loopMacros: ReadonlySet<string>;
  /** The kernel configuration: arms of `#ifdef CONFIG_X` it decides dead are not built (syntax/conditionals.ts). */
  config?: ConfigView;
}

export type AcquireOp = Op & { k: 'acquire' };

export interface Scope {
  guards: AcquireOp[];
}
export interface Jump {
  brk: number;
  cont: number | undefined;
  depth: number;
}

export function siteOf(n: Node): Site {
  return {
    line: n.startPosition.row + 1,
    column: n.startPosition.column + 1,
    endLine: n.endPosition.row + 1,
    endColumn: n.endPosition.column + 1,
  };
}

export function unparen(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression') {
    const inner = cur.namedChild(0);
    if (!inner || inner.type === 'compound_statement' || cur.namedChildCount !== 1) break;
    cur = inner;
  }
  return cur;
}

export function isPure(n: Node): boolean {
  if (
    n.type === 'call_expression' ||
    n.type === 'assignment_expression' ||
    n.type === 'update_expression' ||
    n.type === 'compound_statement' ||
    n.type === 'ERROR'
  )
    return false;
  for (const c of n.namedChildren) if (c && !isPure(c)) return false;
  return true;
}

/** Fact key of a pure condition; `x < 0` on an errno-style value is read as `x`. */
export function factText(n: Node): string {
  const t = normaliseExpr(n.text);
  const m = /^([A-Za-z_]\w*)<0$/.exec(t);
  return m ? m[1] : t;
}

/** Truth of a constant right-hand side, `-EINVAL` included (a negative errno is nonzero). */
export function constantValue(n: Node): boolean | undefined {
  const t = constantTruth(n);
  if (t !== undefined) return t;
  if (n.type === 'unary_expression' && n.childForFieldName('operator')?.text === '-') {
    const arg = n.childForFieldName('argument');
    if (arg && (arg.type === 'identifier' || arg.type === 'number_literal')) return arg.text !== '0';
  }
  return undefined;
}

/** The text of a constant right-hand side (`VM_FAULT_LOCKED`, `-EAGAIN`, `3`), for `x == C` facts. */
export function constantText(n: Node): string | undefined {
  if (n.type === 'number_literal' || n.type === 'true' || n.type === 'false') return normaliseExpr(n.text);
  if (n.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(n.text)) return n.text;
  if (n.type === 'unary_expression' && n.childForFieldName('operator')?.text === '-') {
    const arg = n.childForFieldName('argument');
    if (arg && (arg.type === 'number_literal' || /^[A-Z][A-Z0-9_]*$/.test(arg.text))) return normaliseExpr(n.text);
  }
  return undefined;
}

export function classifyReturn(n: Node): RetClass {
  const e = unparen(n);
  const txt = normaliseExpr(e.text);
  const truth = constantTruth(e);
  if (truth !== undefined) return { k: 'const', text: txt, error: txt === 'NULL', truthy: truth };
  if (e.type === 'unary_expression' && /^-/.test(txt)) return { k: 'const', text: txt, error: true, truthy: true };
  if (e.type === 'identifier') {
    if (/^E[A-Z0-9]+$/.test(txt)) return { k: 'const', text: txt, error: false, truthy: true };
    if (/^[A-Z][A-Z0-9_]*$/.test(txt)) return { k: 'const', text: txt, error: false, truthy: true };
    return { k: 'var', name: txt };
  }
  if (/^(ERR_PTR|ERR_CAST)\(/.test(txt)) return { k: 'const', text: 'ERR_PTR', error: true, truthy: true };
  if (/^PTR_ERR(_OR_ZERO)?\(/.test(txt)) return { k: 'expr', text: txt, error: true };
  return { k: 'expr', text: txt, error: /^-E[A-Z]/.test(txt) };
}

export abstract class GraphBuilder {
  protected readonly nodes: CfgNode[] = [];
  protected cur: number | null = null;
  protected readonly scopes: Scope[] = [];
  protected readonly jumps: Jump[] = [];
  protected readonly labels = new Map<string, number>();
  protected readonly ir: FunctionIR;
  protected readonly modelledSites = new Set<number>();
  /** Locals and fields that name the caller's objects (see aliases.ts). */
  protected readonly aliases = new Aliases();

  constructor(
    protected readonly def: Node,
    protected readonly ctx: BuildContext,
  ) {
    const decl = functionDeclarator(def);
    const body = def.childForFieldName('body');
    // the text between `)` and `{`: sparse annotations live there (slice the definition, not the file)
    const from = (decl?.childForFieldName('parameters')?.endIndex ?? decl?.endIndex ?? def.startIndex) - def.startIndex;
    const annText = decl && body ? def.text.slice(from, body.startIndex - def.startIndex) : '';
    this.ir = {
      name: functionName(def) ?? '<anonymous>',
      file: ctx.file,
      params: parameterNames(decl),
      site: siteOf(def),
      bodyStart: body ? siteOf(body) : siteOf(def),
      nodes: this.nodes,
      entry: 0,
      exit: 1,
      annotations: readAnnotations(annText),
      hasParseErrors: def.hasError,
      lockSitesModelled: 0,
      unmodelled: {},
      taintedKeys: new Set(),
      assigned: new Set(),
      locals: new Set(),
      callees: new Set(),
      fieldCalls: new Set(),
      isStatic: def.namedChildren.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static'),
    };
    if (isAccessorDef(def, this.ir.params)) this.ir.accessor = true;
    const predicate = predicateTemplate(def, this.ir.params);
    if (predicate) this.ir.predicate = predicate;
  }

  // ---- graph plumbing -------------------------------------------------------------------------

  protected nodeAt(kind: CfgNode['kind'], line: number, column: number): number {
    const id = this.nodes.length;
    if (id >= BUDGET.cfgNodes) throw new BudgetExceeded(`its CFG has over ${BUDGET.cfgNodes} nodes`);
    this.nodes.push({ id, kind, ops: [], succ: [], line, column });
    return id;
  }
  protected newNode(kind: CfgNode['kind'], at: Node): number {
    return this.nodeAt(kind, at.startPosition.row + 1, at.startPosition.column + 1);
  }
  protected edge(from: number, to: number, guard?: EdgeGuard): void {
    this.nodes[from].succ.push(guard ? { to, guard } : { to });
  }
  /** The node operations go into; unreachable code gets a node with no predecessor. */
  protected here(at: Node): number {
    if (this.cur === null) this.cur = this.newNode('stmt', at);
    return this.cur;
  }
  /** Start a statement: a new program point (for hover and path steps). */
  protected startStmt(at: Node): void {
    const n = this.newNode('stmt', at);
    if (this.cur !== null) this.edge(this.cur, n);
    this.cur = n;
  }
  protected emit(op: Op, at: Node): void {
    this.nodes[this.here(at)].ops.push(op);
  }
  protected count(what: string): void {
    this.ir.unmodelled[what] = (this.ir.unmodelled[what] ?? 0) + 1;
  }
  /** Record an assignment target; returns the lvalue text that facts and lock names are forgotten by. */
  protected noteAssigned(n: Node | null): string | undefined {
    if (!n) return undefined;
    const e = unparen(n);
    if (e.type === 'identifier') {
      this.ir.assigned.add(e.text);
      this.aliases.assignments.set(e.text, (this.aliases.assignments.get(e.text) ?? 0) + 1);
      return e.text;
    }
    // `x->f = ...` changes x->f, not x; `*p = ...` and `a[i] = ...` change what they designate
    return normaliseExpr(e.text);
  }
  /** Merge the current flow with another that ended at `other`. */
  protected join(other: number | null, at: Node): void {
    if (other === null) return;
    if (this.cur === null) {
      this.cur = other;
      return;
    }
    const j = this.nodeAt('join', at.endPosition.row + 1, at.endPosition.column + 1);
    this.edge(other, j);
    this.edge(this.cur, j);
    this.cur = j;
  }

  // ---- scope guards ---------------------------------------------------------------------------

  /** Release the guards of `scopes`, innermost first; at the end of a block the site is its closing brace. */
  protected releaseGuards(scopes: Scope[], at: Node, why: string): void {
    const end = why.startsWith('end of');
    const site: Site = end
      ? {
          line: at.endPosition.row + 1,
          column: Math.max(1, at.endPosition.column),
          endLine: at.endPosition.row + 1,
          endColumn: at.endPosition.column + 1,
        }
      : siteOf(at);
    for (let i = scopes.length - 1; i >= 0; i--) {
      for (let j = scopes[i].guards.length - 1; j >= 0; j--) {
        const g = scopes[i].guards[j];
        this.emit({ k: 'release', lock: g.lock, via: `${g.via} released at ${why}`, site }, at);
      }
    }
  }

  protected guardAcquire(className: string, lockText: string | undefined, at: Node): AcquireOp | undefined {
    const g = this.ctx.catalog.guard(className.trim());
    if (!g) {
      this.count(`guard:${className.trim()}`);
      return undefined;
    }
    let key: string;
    if (g.lock && !g.lock.includes('{arg}')) key = g.lock;
    else if (lockText) key = g.lock ? applyTemplate(g.lock, lockText) : keyOfPointer(lockText);
    else {
      this.count('guard-without-lock');
      return undefined;
    }
    this.modelledSites.add(at.startIndex);
    return {
      k: 'acquire',
      mode: g.mode,
      via: `guard(${g.name})`,
      site: siteOf(at),
      siteId: at.startIndex,
      lock: {
        key,
        display: g.lock && !g.lock.includes('{arg}') ? key : displayOfKey(key),
        class: g.class ?? null,
        kind: g.kind,
        recursive: !!g.recursive,
      },
    };
  }
}
