/**
 * CFG builder: one walk over a function body (TypeScript binder style) that produces nodes with
 * lock operations and guarded edges. Handles goto/labels, if/else, switch with fall-through,
 * loops, break/continue, early return, do{}while(0), GNU statement expressions, `#ifdef` arms,
 * kernel macro loops, guard()/scoped_guard() scopes and trylock conditions. What it cannot model
 * it counts in `unmodelled` and, where a lock is involved, taints so the checkers stay silent.
 */
import type { Node } from 'web-tree-sitter';
import type { Catalog, LockPrimitive, Mode } from './catalog';
import type { CfgNode, EdgeGuard, FunctionIR, LockRef, Op, RetClass, Site } from './ir';
import {
  callArgs, calleeName, constantTruth, functionDeclarator, functionName, macroBlockKind, macroHeader,
  parameterNames, readAnnotations,
} from './idioms';
import { applyTemplate, displayOfKey, keyOfPointer, normaliseExpr } from './lockname';
import { flagLocks, symbolicLock } from './lockref';

export interface BuildContext {
  catalog: Catalog;
  file: string;
  /** Names of functions defined in the same file (their summaries apply at calls). */
  sameFile: ReadonlySet<string>;
  loopMacros: ReadonlySet<string>;
}

type AcquireOp = Op & { k: 'acquire' };

interface Scope { guards: AcquireOp[] }
interface Jump { brk: number; cont: number | undefined; depth: number }

export function siteOf(n: Node): Site {
  return {
    line: n.startPosition.row + 1, column: n.startPosition.column + 1,
    endLine: n.endPosition.row + 1, endColumn: n.endPosition.column + 1,
  };
}

function unparen(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression') {
    const inner = cur.namedChild(0);
    if (!inner || inner.type === 'compound_statement' || cur.namedChildCount !== 1) break;
    cur = inner;
  }
  return cur;
}

function isPure(n: Node): boolean {
  if (n.type === 'call_expression' || n.type === 'assignment_expression' || n.type === 'update_expression'
    || n.type === 'compound_statement' || n.type === 'ERROR') return false;
  for (const c of n.namedChildren) if (c && !isPure(c)) return false;
  return true;
}

/** Fact key of a pure condition; `x < 0` on an errno-style value is read as `x`. */
function factText(n: Node): string {
  const t = normaliseExpr(n.text);
  const m = /^([A-Za-z_]\w*)<0$/.exec(t);
  return m ? m[1] : t;
}

/** Truth of a constant right-hand side, `-EINVAL` included (a negative errno is nonzero). */
function constantValue(n: Node): boolean | undefined {
  const t = constantTruth(n);
  if (t !== undefined) return t;
  if (n.type === 'unary_expression' && n.childForFieldName('operator')?.text === '-') {
    const arg = n.childForFieldName('argument');
    if (arg && (arg.type === 'identifier' || arg.type === 'number_literal')) return arg.text !== '0';
  }
  return undefined;
}

function classifyReturn(n: Node): RetClass {
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

/** ERROR text that is a type or annotation passed where the grammar expects an expression. */
const HARMLESS_ERROR = /^(struct|union|enum|const|volatile|unsigned|signed|short|long|int|char|void|bool|u8|u16|u32|u64|s8|s16|s32|s64|__u\d+|__le\d+|__be\d+|__user|__rcu|__iomem|__percpu|__force|__bitwise|__kernel)\b/;

export class CfgBuilder {
  private readonly nodes: CfgNode[] = [];
  private cur: number | null = null;
  private readonly scopes: Scope[] = [];
  private readonly jumps: Jump[] = [];
  private readonly labels = new Map<string, number>();
  private readonly ir: FunctionIR;
  private readonly modelledSites = new Set<number>();

  constructor(private readonly def: Node, private readonly ctx: BuildContext) {
    const decl = functionDeclarator(def);
    const body = def.childForFieldName('body');
    const src = def.tree.rootNode.text;
    const annText = decl && body ? src.slice(decl.childForFieldName('parameters')?.endIndex ?? decl.endIndex, body.startIndex) : '';
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
    };
  }

  /**
   * Parse errors that change meaning silence the function; the common harmless ones (a type name as
   * a macro argument, `__user` in a parameter, a macro loop's missing `;`) are only counted.
   */
  private auditParseErrors(body: Node): void {
    const cursor = body.walk();
    let harmful = 0;
    const visit = (): void => {
      const n = cursor.currentNode;
      if (n.isMissing) {
        const harmless = n.type === ';' && !!n.parent && macroHeader(n.parent) !== undefined;
        if (!harmless) harmful++;
      } else if (n.isError) {
        const inArgs = ['argument_list', 'parameter_list', 'parameter_declaration'].includes(n.parent?.type ?? '');
        if (!(inArgs && (HARMLESS_ERROR.test(n.text) || /^[\w\s*]+$/.test(n.text)))) harmful++;
        return; // do not descend into the error
      }
      if (n.hasError && cursor.gotoFirstChild()) {
        do visit(); while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
    };
    visit();
    if (harmful) {
      this.ir.unmodelled['parse-error'] = (this.ir.unmodelled['parse-error'] ?? 0) + harmful;
      this.ir.taintedKeys.add('*');
    }
  }

  build(): FunctionIR {
    const body = this.def.childForFieldName('body');
    if (body?.hasError) this.auditParseErrors(body);
    const entry = this.newNode('entry', this.def);
    const exit = this.newNode('exit', body ?? this.def);
    this.ir.entry = entry;
    this.ir.exit = exit;
    this.cur = entry;
    if (body) {
      this.block(body);
      if (this.cur !== null) {
        const endPos = { row: body.endPosition.row, column: Math.max(0, body.endPosition.column - 1) };
        const ret = this.nodeAt('return', endPos.row + 1, endPos.column + 1);
        this.nodes[ret].ret = { k: 'void' };
        this.edge(this.cur, ret);
        this.edge(ret, exit);
        this.cur = null;
      }
    }
    this.ir.lockSitesModelled = this.modelledSites.size;
    return this.ir;
  }

  // ---- graph plumbing -------------------------------------------------------------------------

  private nodeAt(kind: CfgNode['kind'], line: number, column: number): number {
    const id = this.nodes.length;
    this.nodes.push({ id, kind, ops: [], succ: [], line, column });
    return id;
  }
  private newNode(kind: CfgNode['kind'], at: Node): number {
    return this.nodeAt(kind, at.startPosition.row + 1, at.startPosition.column + 1);
  }
  private edge(from: number, to: number, guard?: EdgeGuard): void {
    this.nodes[from].succ.push(guard ? { to, guard } : { to });
  }
  /** The node operations go into; unreachable code gets a node with no predecessor. */
  private here(at: Node): number {
    if (this.cur === null) this.cur = this.newNode('stmt', at);
    return this.cur;
  }
  /** Start a statement: a new program point (for hover and path steps). */
  private startStmt(at: Node): void {
    const n = this.newNode('stmt', at);
    if (this.cur !== null) this.edge(this.cur, n);
    this.cur = n;
  }
  private emit(op: Op, at: Node): void {
    this.nodes[this.here(at)].ops.push(op);
  }
  private count(what: string): void {
    this.ir.unmodelled[what] = (this.ir.unmodelled[what] ?? 0) + 1;
  }
  /** Record an assignment target; returns the lvalue text that facts and lock names are forgotten by. */
  private noteAssigned(n: Node | null): string | undefined {
    if (!n) return undefined;
    const e = unparen(n);
    if (e.type === 'identifier') { this.ir.assigned.add(e.text); return e.text; }
    // `x->f = ...` changes x->f, not x; `*p = ...` and `a[i] = ...` change what they designate
    return normaliseExpr(e.text);
  }

  // ---- statements -----------------------------------------------------------------------------

  private block(n: Node): void {
    this.scopes.push({ guards: [] });
    const kids = n.namedChildren.filter((c): c is Node => !!c);
    for (let i = 0; i < kids.length; i++) {
      const header = macroHeader(kids[i]);
      const next = kids[i + 1];
      const name = header ? calleeName(header) ?? '' : '';
      const loopish = header && macroBlockKind(name, this.ctx.loopMacros) !== 'block';
      if (header && next && next.type !== 'comment' && (next.type === 'compound_statement' || loopish)) {
        this.macroBlock(kids[i], header, next);
        i++;
        continue;
      }
      this.stmt(kids[i]);
    }
    const scope = this.scopes.pop()!;
    if (this.cur !== null) this.releaseGuards([scope], n, 'end of scope');
  }

  private stmt(n: Node): void {
    switch (n.type) {
      case 'compound_statement': this.block(n); return;
      case 'expression_statement': {
        this.startStmt(n);
        const e = n.namedChild(0);
        if (e) this.expr(e);
        return;
      }
      case 'declaration': this.startStmt(n); this.declaration(n); return;
      case 'if_statement': this.ifStmt(n); return;
      case 'while_statement': this.whileStmt(n); return;
      case 'for_statement': this.forStmt(n); return;
      case 'do_statement': this.doStmt(n); return;
      case 'switch_statement': this.switchStmt(n); return;
      case 'case_statement': this.caseBody(n); return;
      case 'break_statement': this.jump(n, 'brk'); return;
      case 'continue_statement': this.jump(n, 'cont'); return;
      case 'return_statement': this.returnStmt(n); return;
      case 'goto_statement': this.gotoStmt(n); return;
      case 'labeled_statement': this.labeled(n); return;
      case 'attributed_statement':
        for (const c of n.namedChildren) if (c && c.type !== 'attribute_declaration') this.stmt(c);
        return;
      case 'preproc_ifdef': case 'preproc_if': case 'preproc_elif': case 'preproc_else': case 'preproc_elifdef':
        this.preproc(n); return;
      case 'ERROR': this.errorNode(n); return;
      case 'function_definition': this.macroAsDefinition(n); return;
      case 'comment': case 'type_definition': case 'struct_specifier': case 'union_specifier': case 'enum_specifier':
      case 'preproc_call': case 'preproc_def': case 'preproc_function_def': case 'preproc_include': case ';':
        return;
      default:
        if (n.type.endsWith('_statement') || n.isNamed) this.count(`statement:${n.type}`);
    }
  }

  private declaration(n: Node): void {
    for (const d of n.namedChildren) {
      if (!d) continue;
      if (d.type === 'identifier') { this.ir.locals.add(d.text); continue; }
      if (d.type === 'pointer_declarator' || d.type === 'array_declarator') {
        const id = d.descendantsOfType('identifier')[0];
        if (id) this.ir.locals.add(id.text);
        continue;
      }
      if (d.type !== 'init_declarator') continue;
      const value = d.childForFieldName('value');
      const name = d.childForFieldName('declarator');
      const id = name?.type === 'identifier' ? name.text : name?.descendantsOfType('identifier')[0]?.text;
      if (id) this.ir.locals.add(id);
      if (value) {
        if (id && this.tryAssign(id, value, d)) continue;
        this.expr(value);
        if (id) this.assign(id, value, d);
      }
    }
  }

  private ifStmt(n: Node): void {
    this.startStmt(n);
    const cond = n.childForFieldName('condition');
    const cons = n.childForFieldName('consequence');
    const alt = n.childForFieldName('alternative');
    const t = this.newNode('join', cons ?? n);
    const f = this.newNode('join', alt ?? n);
    if (cond) this.cond(cond, t, f); else { this.edge(this.here(n), t); this.edge(this.here(n), f); }
    this.cur = t;
    if (cons) this.stmt(cons);
    const endT = this.cur;
    this.cur = f;
    if (alt) {
      const inner = alt.type === 'else_clause' ? alt.namedChildren.find((c) => c && c.type !== 'comment') : alt;
      if (inner) this.stmt(inner);
    }
    this.join(endT, n);
  }

  /** Merge the current flow with another that ended at `other`. */
  private join(other: number | null, at: Node): void {
    if (other === null) return;
    if (this.cur === null) { this.cur = other; return; }
    const j = this.nodeAt('join', at.endPosition.row + 1, at.endPosition.column + 1);
    this.edge(other, j);
    this.edge(this.cur, j);
    this.cur = j;
  }

  private loop(at: Node, header: (body: number, after: number) => void, body: Node | null, update?: Node | null): void {
    const head = this.newNode('join', at);
    if (this.cur !== null) this.edge(this.cur, head);
    const bodyNode = this.newNode('join', body ?? at);
    const after = this.nodeAt('join', at.endPosition.row + 1, at.endPosition.column + 1);
    const cont = update ? this.newNode('stmt', update) : head;
    this.cur = head;
    header(bodyNode, after);
    this.jumps.push({ brk: after, cont, depth: this.scopes.length });
    this.cur = bodyNode;
    if (body) this.stmt(body);
    this.jumps.pop();
    if (this.cur !== null) this.edge(this.cur, cont);
    if (update) {
      this.cur = cont;
      this.expr(update);
      if (this.cur !== null) this.edge(this.cur, head);
    }
    this.cur = after;
  }

  private whileStmt(n: Node): void {
    const cond = n.childForFieldName('condition');
    this.loop(n, (b, a) => (cond ? this.cond(cond, b, a) : this.edge(this.here(n), b)), n.childForFieldName('body'));
  }

  private forStmt(n: Node): void {
    this.startStmt(n);
    const init = n.childForFieldName('initializer');
    if (init) { if (init.type === 'declaration') this.declaration(init); else this.expr(init); }
    const cond = n.childForFieldName('condition');
    this.loop(n, (b, a) => {
      if (cond) this.cond(cond, b, a);
      else this.edge(this.here(n), b); // for (;;)
    }, n.childForFieldName('body'), n.childForFieldName('update'));
  }

  private doStmt(n: Node): void {
    const body = n.childForFieldName('body');
    const cond = n.childForFieldName('condition');
    const bodyNode = this.newNode('join', body ?? n);
    if (this.cur !== null) this.edge(this.cur, bodyNode);
    const test = this.nodeAt('cond', (cond ?? n).startPosition.row + 1, (cond ?? n).startPosition.column + 1);
    const after = this.nodeAt('join', n.endPosition.row + 1, n.endPosition.column + 1);
    this.jumps.push({ brk: after, cont: test, depth: this.scopes.length });
    this.cur = bodyNode;
    if (body) this.stmt(body);
    this.jumps.pop();
    if (this.cur !== null) this.edge(this.cur, test);
    this.cur = test;
    if (cond) this.cond(cond, bodyNode, after); else this.edge(test, after);
    this.cur = after;
  }

  private switchStmt(n: Node): void {
    this.startStmt(n);
    const cond = n.childForFieldName('condition');
    if (cond) this.expr(cond);
    const head = this.here(n);
    const after = this.nodeAt('join', n.endPosition.row + 1, n.endPosition.column + 1);
    const outer = this.jumps[this.jumps.length - 1];
    this.jumps.push({ brk: after, cont: outer?.cont, depth: this.scopes.length });
    this.cur = null;
    let hasDefault = false;
    const body = n.childForFieldName('body');
    this.scopes.push({ guards: [] });
    for (const c of body?.namedChildren ?? []) {
      if (!c) continue;
      if (c.type === 'case_statement') {
        const entry = this.newNode('join', c);
        this.edge(head, entry);
        if (this.cur !== null) this.edge(this.cur, entry); // fall-through
        this.cur = entry;
        if (!c.childForFieldName('value')) hasDefault = true;
        this.caseBody(c);
      } else {
        this.stmt(c);
      }
    }
    const scope = this.scopes.pop()!;
    if (this.cur !== null) { this.releaseGuards([scope], n, 'end of scope'); this.edge(this.cur, after); }
    this.jumps.pop();
    if (!hasDefault) this.edge(head, after);
    this.cur = after;
  }

  private caseBody(c: Node): void {
    const value = c.childForFieldName('value');
    for (const s of c.namedChildren) if (s && s.id !== value?.id) this.stmt(s);
  }

  private jump(n: Node, which: 'brk' | 'cont'): void {
    const j = this.jumps[this.jumps.length - 1];
    const target = j ? (which === 'brk' ? j.brk : j.cont) : undefined;
    if (target === undefined) { this.count(`stray-${n.type}`); return; }
    this.startStmt(n);
    this.releaseGuards(this.scopes.slice(j.depth), n, n.type === 'break_statement' ? 'break' : 'continue');
    this.edge(this.cur!, target);
    this.cur = null;
  }

  private returnStmt(n: Node): void {
    this.startStmt(n);
    const e = n.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
    if (e) {
      const inner = unparen(e);
      const neg = inner.type === 'unary_expression' && inner.childForFieldName('operator')?.text === '!';
      const callNode = neg ? unparen(inner.childForFieldName('argument')!) : inner;
      const prim = callNode.type === 'call_expression' ? this.primOf(callNode) : undefined;
      if (prim && prim.op === 'trylock') {
        // `return mutex_trylock(&m);`: two returns, one holding the lock
        const ok = this.newNode('join', n);
        const fail = this.newNode('join', n);
        this.trylockEdges(callNode, prim, ok, fail);
        for (const [node, taken] of [[ok, true], [fail, false]] as const) {
          this.cur = node;
          this.finishReturn(n, { k: 'try', ok: taken !== neg });
        }
        return;
      }
      this.expr(e);
      this.finishReturn(n, classifyReturn(e));
      return;
    }
    this.finishReturn(n, { k: 'void' });
  }

  private finishReturn(n: Node, ret: RetClass): void {
    if (this.cur === null) return;
    const r = this.newNode('return', n);
    this.nodes[r].ret = ret;
    this.edge(this.cur, r);
    this.cur = r;
    this.releaseGuards(this.scopes, n, 'return');
    this.edge(r, this.ir.exit);
    this.cur = null;
  }

  private label(name: string, at: Node): number {
    let l = this.labels.get(name);
    if (l === undefined) {
      l = this.newNode('join', at);
      this.nodes[l].note = `label ${name}`;
      this.labels.set(name, l);
    }
    return l;
  }

  private gotoStmt(n: Node): void {
    this.startStmt(n);
    const name = n.childForFieldName('label')?.text ?? '';
    this.nodes[this.cur!].note = `goto ${name}`;
    // labels are at function scope in kernel code: leave every inner guard scope
    this.releaseGuards(this.scopes.slice(1), n, `goto ${name}`);
    this.edge(this.cur!, this.label(name, n));
    this.cur = null;
  }

  private labeled(n: Node): void {
    const name = n.childForFieldName('label')?.text ?? '';
    const l = this.label(name, n);
    const ln = this.nodes[l];
    ln.line = n.startPosition.row + 1;
    ln.column = n.startPosition.column + 1;
    if (this.scopes.length > 1 && this.scopes.some((s) => s.guards.length)) this.count('label-inside-guard-scope');
    if (this.cur !== null) this.edge(this.cur, l);
    this.cur = l;
    for (const c of n.namedChildren) {
      if (c && c.type !== 'statement_identifier') this.stmt(c);
    }
  }

  /** `#ifdef X` / `#if EXPR` arms: either may be built; a fact keeps two #ifdefs on X correlated. */
  private preproc(n: Node): void {
    this.startStmt(n);
    const name = n.childForFieldName('name');
    const cond = n.childForFieldName('condition');
    const alt = n.childForFieldName('alternative');
    const negated = n.children[0]?.text === '#ifndef';
    const text = name ? `defined(${name.text})` : cond ? `#if ${normaliseExpr(cond.text)}` : undefined;
    const t = this.newNode('join', n);
    const f = this.newNode('join', alt ?? n);
    const from = this.here(n);
    if (text) {
      this.edge(from, t, { fact: { text, value: !negated } });
      this.edge(from, f, { fact: { text, value: negated } });
    } else {
      this.edge(from, t);
      this.edge(from, f);
    }
    this.cur = t;
    for (const c of n.namedChildren) {
      if (!c || c.id === name?.id || c.id === cond?.id || c.id === alt?.id) continue;
      this.stmt(c);
    }
    const endT = this.cur;
    this.cur = f;
    if (alt?.type === 'preproc_else') {
      for (const c of alt.namedChildren) if (c) this.stmt(c); // taken exactly when the #if arm is not
    } else if (alt) {
      this.preproc(alt);
    }
    this.join(endT, n);
  }

  /**
   * `scoped_guard(rcu) { ... }` or `for_each_thing(x) { ... }` with one argument parses as a nested
   * function definition: type = the macro name, declarator = `(arg)`, body = the block.
   */
  private macroAsDefinition(n: Node): void {
    const name = n.childForFieldName('type')?.text ?? '';
    const decl = n.childForFieldName('declarator');
    const body = n.childForFieldName('body');
    if (!/^[A-Za-z_]\w*$/.test(name) || !decl || decl.type !== 'parenthesized_declarator' || !body) {
      this.count('statement:function_definition');
      return;
    }
    const arg = decl.text.replace(/^\(|\)$/g, '').trim();
    this.startStmt(n);
    const kind = macroBlockKind(name, this.ctx.loopMacros);
    if (kind === 'scoped-guard') {
      this.scopes.push({ guards: [] });
      const g = this.guardAcquire(arg, [], n);
      if (g) { this.emit(g, n); this.scopes[this.scopes.length - 1].guards.push(g); }
      this.stmt(body);
      const scope = this.scopes.pop()!;
      if (this.cur !== null) this.releaseGuards([scope], body, 'end of scoped_guard');
      return;
    }
    if (kind === 'block') this.count(`macro-block:${name}`);
    if (/^[A-Za-z_]\w*$/.test(arg)) this.ir.assigned.add(arg);
    this.loop(n, (b, a) => {
      if (/^[A-Za-z_]\w*$/.test(arg)) this.emit({ k: 'assign', name: arg }, n);
      this.edge(this.here(n), b);
      this.edge(this.here(n), a);
    }, body);
  }

  private errorNode(n: Node): void {
    this.count('error-node');
    for (const call of n.descendantsOfType('call_expression')) {
      if (call && this.primOf(call)) this.ir.taintedKeys.add('*');
    }
    if (/\b(lock|unlock)\w*\s*\(/.test(n.text)) this.ir.taintedKeys.add('*');
  }

  private macroBlock(stmt: Node, call: Node, body: Node): void {
    const name = calleeName(call) ?? '';
    const kind = macroBlockKind(name, this.ctx.loopMacros);
    this.startStmt(stmt);
    if (kind === 'scoped-guard') {
      const args = callArgs(call);
      this.scopes.push({ guards: [] });
      const g = args.length ? this.guardAcquire(args[0].text, args.slice(1), call) : undefined;
      if (g) { this.emit(g, call); this.scopes[this.scopes.length - 1].guards.push(g); }
      this.stmt(body);
      const scope = this.scopes.pop()!;
      if (this.cur !== null) this.releaseGuards([scope], body, 'end of scoped_guard');
      return;
    }
    if (kind === 'block') this.count(`macro-block:${name}`);
    const first = callArgs(call)[0];
    if (first) this.noteAssigned(first);
    const loopVar = first?.type === 'identifier' ? first.text : undefined;
    for (const c of call.descendantsOfType('call_expression')) {
      if (c && c.id !== call.id && this.primOf(c)) { this.count('lock-in-macro-args'); this.ir.taintedKeys.add('*'); }
    }
    this.loop(stmt, (b, a) => {
      // the macro assigns its cursor on every iteration
      if (loopVar) this.emit({ k: 'assign', name: loopVar }, stmt);
      this.edge(this.here(stmt), b);
      this.edge(this.here(stmt), a);
    }, body);
  }

  // ---- scope guards ---------------------------------------------------------------------------

  /** Release the guards of `scopes`, innermost first; at the end of a block the site is its closing brace. */
  private releaseGuards(scopes: Scope[], at: Node, why: string): void {
    const end = why.startsWith('end of');
    const site: Site = end
      ? { line: at.endPosition.row + 1, column: Math.max(1, at.endPosition.column), endLine: at.endPosition.row + 1, endColumn: at.endPosition.column + 1 }
      : siteOf(at);
    for (let i = scopes.length - 1; i >= 0; i--) {
      for (let j = scopes[i].guards.length - 1; j >= 0; j--) {
        const g = scopes[i].guards[j];
        this.emit({ k: 'release', lock: g.lock, via: `${g.via} released at ${why}`, site }, at);
      }
    }
  }

  private guardAcquire(className: string, args: Node[], at: Node): AcquireOp | undefined {
    const g = this.ctx.catalog.guard(className.trim());
    if (!g) { this.count(`guard:${className.trim()}`); return undefined; }
    let key: string;
    if (g.lock && !g.lock.includes('{arg}')) key = g.lock;
    else if (args[0]) key = g.lock ? applyTemplate(g.lock, args[0].text) : keyOfPointer(args[0].text);
    else { this.count('guard-without-lock'); return undefined; }
    this.modelledSites.add(at.startIndex);
    return {
      k: 'acquire', mode: g.mode, via: `guard(${g.name})`, site: siteOf(at), siteId: at.startIndex,
      lock: { key, display: g.lock && !g.lock.includes('{arg}') ? key : displayOfKey(key), class: g.class ?? null, kind: g.kind, recursive: !!g.recursive },
    };
  }

  // ---- expressions ----------------------------------------------------------------------------

  private primOf(call: Node): LockPrimitive | undefined {
    const name = calleeName(call);
    return name ? this.ctx.catalog.primitive(name) : undefined;
  }

  private expr(n: Node): void {
    switch (n.type) {
      case 'call_expression': this.call(n); return;
      case 'parenthesized_expression': {
        const inner = n.namedChild(0);
        if (inner?.type === 'compound_statement') { this.block(inner); return; } // ({ ... })
        if (inner) this.expr(inner);
        return;
      }
      case 'assignment_expression': {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        const name = left?.type === 'identifier' ? left.text : undefined;
        if (right && name && n.childForFieldName('operator')?.text === '=' && this.tryAssign(name, right, n)) return;
        if (right) this.expr(right);
        // storing an object somewhere (`op->vnode = vnode`) hands its locks to whoever reads it there
        const rv = right ? unparen(right) : undefined;
        if (rv?.type === 'identifier' && left && left.type !== 'identifier') {
          this.emit({ k: 'escape', keys: [], roots: [rv.text], callee: '=', site: siteOf(n) }, n);
        }
        const target = this.noteAssigned(left);
        if (target) this.emit({ k: 'assign', name: target, value: name && right ? constantValue(unparen(right)) : undefined }, n);
        return;
      }
      case 'update_expression': {
        const target = this.noteAssigned(n.childForFieldName('argument'));
        if (target) this.emit({ k: 'assign', name: target }, n);
        return;
      }
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text;
        const right = n.childForFieldName('right');
        if ((op === '&&' || op === '||') && right && this.interesting(right)) {
          const j = this.newNode('join', n);
          this.cond(n, j, j);
          this.cur = j;
          return;
        }
        break;
      }
      case 'conditional_expression': {
        const c = n.childForFieldName('condition');
        const a = n.childForFieldName('consequence');
        const b = n.childForFieldName('alternative');
        if (c && ((a && this.interesting(a)) || (b && this.interesting(b)))) {
          const t = this.newNode('join', a ?? n);
          const f = this.newNode('join', b ?? n);
          this.cond(c, t, f);
          this.cur = t;
          if (a) this.expr(a);
          const endT = this.cur;
          this.cur = f;
          if (b) this.expr(b);
          this.join(endT, n);
          return;
        }
        break;
      }
      default:
        break;
    }
    for (const c of n.namedChildren) if (c) this.expr(c);
  }

  /** Contains something whose effect depends on being evaluated (lock calls, statement expressions). */
  private interesting(n: Node): boolean {
    if (n.descendantsOfType('compound_statement').length) return true;
    return n.descendantsOfType('call_expression').some((c) => !!c && (!!this.primOf(c) || this.ctx.sameFile.has(calleeName(c) ?? '')));
  }

  private call(n: Node): void {
    const fn = n.childForFieldName('function');
    const args = callArgs(n);
    // guard(mutex)(&m);
    if (fn?.type === 'call_expression' && calleeName(fn) === 'guard') {
      const cls = callArgs(fn)[0];
      const g = cls ? this.guardAcquire(cls.text, args, n) : undefined;
      if (g) { this.emit(g, n); this.scopes[this.scopes.length - 1]?.guards.push(g); }
      return;
    }
    const name = calleeName(n);
    if (name) {
      const am = this.ctx.catalog.assertMacro(name);
      if (am && args[0] && this.assertion(args[0], am.negated, n)) return;
    }
    for (const a of args) this.expr(a);
    if (fn && fn.type !== 'identifier') this.expr(fn);
    if (!name) return;
    const prim = this.ctx.catalog.primitive(name);
    if (prim && prim.op !== 'noreturn' && prim.op !== 'predicate') this.modelledSites.add(n.startIndex);
    if (!prim) {
      if (this.ctx.sameFile.has(name)) {
        this.ir.callees.add(name);
        this.emit({ k: 'call', callee: name, args: args.map((a) => a.text), site: siteOf(n) }, n);
      } else {
        const keys = this.escapedKeys(args);
        if (keys.length) this.emit({ k: 'escape', keys, callee: name, site: siteOf(n) }, n);
      }
      return;
    }
    switch (prim.op) {
      case 'acquire':
        for (const l of this.lockRefs(prim, args, n)) {
          this.emit({ k: 'acquire', lock: l.ref, mode: l.mode, via: name, site: siteOf(n), siteId: n.startIndex, subclass: this.subclass(prim, args) }, n);
        }
        return;
      case 'release':
        for (const l of this.lockRefs(prim, args, n)) this.emit({ k: 'release', lock: l.ref, via: name, site: siteOf(n) }, n);
        return;
      case 'downgrade':
        for (const l of this.lockRefs(prim, args, n)) this.emit({ k: 'downgrade', lock: l.ref, via: name, site: siteOf(n) }, n);
        return;
      case 'assert':
        for (const l of this.lockRefs(prim, args, n)) this.emit({ k: 'assert', lock: l.ref, mode: prim.mode, via: name, site: siteOf(n) }, n);
        return;
      case 'trylock': {
        // result ignored or used in a way we do not follow: both outcomes
        const j = this.newNode('join', n);
        this.trylockEdges(n, prim, j, j);
        this.cur = j;
        return;
      }
      case 'noreturn':
        this.emit({ k: 'noreturn', via: name, site: siteOf(n) }, n);
        this.cur = null;
        return;
      case 'predicate':
        return;
    }
  }

  /** Lock keys an unknown callee could act on: `&x->lock` passed in, or `x->lock` given to a macro. */
  private escapedKeys(args: Node[]): string[] {
    const keys: string[] = [];
    for (const a of args) {
      if (a.type === 'pointer_expression' && a.text.trimStart().startsWith('&')) keys.push(keyOfPointer(a.text));
      else if (a.type === 'field_expression') keys.push(normaliseExpr(a.text));
    }
    return keys;
  }

  /** ASSERT(pred) / WARN_ON(!pred): a lock the function requires. Returns false if not an assertion. */
  private assertion(arg: Node, negated: boolean, at: Node): boolean {
    let e = unparen(arg);
    let neg = false;
    while (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '!') {
      neg = !neg;
      e = unparen(e.childForFieldName('argument')!);
    }
    if (e.type !== 'call_expression' || neg !== negated) return false;
    const prim = this.primOf(e);
    if (!prim || prim.op !== 'predicate') return false;
    for (const l of this.lockRefs(prim, callArgs(e), e)) {
      this.emit({ k: 'assert', lock: l.ref, mode: prim.flags ? l.mode : undefined, via: calleeName(at) ?? 'assert', site: siteOf(at) }, at);
    }
    return true;
  }

  private subclass(prim: LockPrimitive, args: Node[]): string | undefined {
    if (prim.subclassArg === undefined) return undefined;
    const a = args[prim.subclassArg];
    return a ? normaliseExpr(a.text) : undefined;
  }

  /** The locks a primitive call designates (several for flag sets). */
  private lockRefs(prim: LockPrimitive, args: Node[], _at: Node): { ref: LockRef; mode: Mode }[] {
    const argIdx = prim.arg ?? 0;
    const mk = (key: string, cls: string | null, kind = prim.kind, base?: string): LockRef =>
      ({ key, display: displayOfKey(key), class: cls, kind, recursive: !!prim.recursive, ...(base ? { base } : {}) });
    if (argIdx < 0) {
      const global = prim.lock ?? prim.name;
      return [{ ref: { ...mk(global, prim.class ?? null), display: global }, mode: prim.mode ?? 'excl' }];
    }
    const a = args[argIdx];
    if (!a) { this.count('lock-call-without-argument'); return []; }
    if (prim.flags) {
      const fa = args[prim.flags.arg];
      if (!fa) return [];
      const known = flagLocks(prim, a.text, fa.text);
      if (known) return known;
      // flags not constant here (`xfs_ilock(ip, lock_mode)`): a symbolic lock matched by the same text;
      // silent in this function, evaluated where a caller passes constants
      const ref = symbolicLock(prim, a.text, fa.text);
      this.ir.taintedKeys.add(ref.key);
      return [{ ref, mode: 'excl' }];
    }
    if (prim.range) {
      const base = keyOfPointer(a.text);
      const lo = args[prim.range[0]];
      const hi = args[prim.range[1]];
      const key = `${base}[${lo ? normaliseExpr(lo.text) : '?'}..${hi ? normaliseExpr(hi.text) : '?'}]`;
      return [{ ref: { ...mk(key, prim.class ?? null, prim.kind, base), display: `${displayOfKey(base)} [${lo?.text ?? '?'}, ${hi?.text ?? '?'}]` }, mode: prim.mode ?? 'excl' }];
    }
    const key = prim.lock ? applyTemplate(prim.lock, a.text) : keyOfPointer(a.text);
    return [{ ref: mk(key, prim.class ?? null), mode: prim.mode ?? 'excl' }];
  }

  /** Success and failure edges of a trylock call, to `ok`/`fail` for a condition that is true on success. */
  private trylockEdges(call: Node, prim: LockPrimitive, whenTrue: number, whenFalse: number, fact?: string): void {
    const args = callArgs(call);
    for (const a of args) this.expr(a);
    const from = this.here(call);
    const name = calleeName(call) ?? prim.name;
    this.modelledSites.add(call.startIndex);
    const locks = this.lockRefs(prim, args, call);
    const okOnTrue = prim.success !== 'zero';
    const [okTarget, failTarget] = okOnTrue ? [whenTrue, whenFalse] : [whenFalse, whenTrue];
    const site = siteOf(call);
    const acquire = locks[0]
      ? { k: 'acquire' as const, lock: locks[0].ref, mode: locks[0].mode, via: name, site, siteId: call.startIndex, subclass: this.subclass(prim, args) }
      : undefined;
    // only the first lock of a flag set is modelled on the edge; the rest are rare enough to taint
    for (const extra of locks.slice(1)) this.ir.taintedKeys.add(extra.ref.key);
    const okFact = fact ? { text: fact, value: okOnTrue } : undefined;
    const failFact = fact ? { text: fact, value: !okOnTrue } : undefined;
    this.edge(from, okTarget, { ...(acquire ? { acquire } : {}), ...(okFact ? { fact: okFact } : {}), note: `${name} succeeds`, site });
    this.edge(from, failTarget, { ...(failFact ? { fact: failFact } : {}), note: `${name} fails`, site });
    this.cur = null;
  }

  /** `x = mutex_trylock(&m)`: split on the outcome with a fact about `x`. */
  private tryAssign(name: string, value: Node, at: Node): boolean {
    const v = unparen(value);
    if (v.type !== 'call_expression') return false;
    const prim = this.primOf(v);
    if (!prim || prim.op !== 'trylock') return false;
    this.ir.assigned.add(name);
    this.emit({ k: 'assign', name }, at);
    const j = this.newNode('join', at);
    this.trylockEdges(v, prim, j, j, name);
    this.cur = j;
    return true;
  }

  private assign(name: string, value: Node, at: Node): void {
    this.emit({ k: 'assign', name, value: constantValue(unparen(value)) }, at);
  }

  /**
   * A call used as a condition whose arguments are pure and which touches no lock
   * (`btrfs_is_zoned(fs_info)`, `test_bit(X, &f->flags)`): read as a fact, so that two tests of
   * the same predicate agree. An approximation: the predicate is assumed stable in between.
   */
  private isPredicateCall(e: Node): boolean {
    if (e.type !== 'call_expression') return false;
    const name = calleeName(e);
    if (!name || this.ctx.catalog.primitive(name) || this.ctx.catalog.assertMacro(name) || this.ctx.sameFile.has(name)) return false;
    if (/^(need_resched|signal_pending|fatal_signal_pending|time_after|time_before|kthread_should_stop|freezing|try_to_freeze|rwsem_is_contended|spin_needbreak)/.test(name)) return false;
    return callArgs(e).every((a) => isPure(a));
  }

  /** Lower a condition with short-circuit evaluation, sending true/false outcomes to t/f. */
  private cond(n: Node, t: number, f: number): void {
    const e = unparen(n);
    if (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '!') {
      const arg = e.childForFieldName('argument');
      if (arg) { this.cond(arg, f, t); return; }
    }
    if (e.type === 'binary_expression') {
      const op = e.childForFieldName('operator')?.text;
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      if (left && right && (op === '&&' || op === '||')) {
        const mid = this.newNode('cond', right);
        if (op === '&&') this.cond(left, mid, f); else this.cond(left, t, mid);
        this.cur = mid;
        this.cond(right, t, f);
        return;
      }
      if (left && right && (op === '==' || op === '!=')) {
        const lz = constantTruth(unparen(left)) === false;
        const rz = constantTruth(unparen(right)) === false;
        if (lz !== rz) {
          const other = lz ? right : left;
          if (op === '==') this.cond(other, f, t); else this.cond(other, t, f);
          return;
        }
      }
    }
    const truth = constantTruth(e);
    if (truth !== undefined) { this.edge(this.here(n), truth ? t : f); this.cur = null; return; }
    if (e.type === 'call_expression') {
      const prim = this.primOf(e);
      if (prim?.op === 'trylock') { this.trylockEdges(e, prim, t, f); return; }
    }
    if (e.type === 'assignment_expression') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      const rv = right ? unparen(right) : undefined;
      const prim = rv?.type === 'call_expression' ? this.primOf(rv) : undefined;
      if (left?.type === 'identifier' && rv && prim?.op === 'trylock') {
        this.ir.assigned.add(left.text);
        this.emit({ k: 'assign', name: left.text }, e);
        this.trylockEdges(rv, prim, t, f, left.text);
        return;
      }
    }
    if (isPure(e) || this.isPredicateCall(e)) {
      const text = factText(e);
      const from = this.here(n);
      this.edge(from, t, { fact: { text, value: true } });
      this.edge(from, f, { fact: { text, value: false } });
      this.cur = null;
      return;
    }
    this.expr(e);
    const from = this.here(n);
    this.edge(from, t);
    this.edge(from, f);
    this.cur = null;
  }
}

export function buildCfg(def: Node, ctx: BuildContext): FunctionIR {
  return new CfgBuilder(def, ctx).build();
}
