/**
 * CFG builder: one walk over a function body (TypeScript binder style) that produces nodes with
 * lock operations and guarded edges. Handles goto/labels, if/else, switch with fall-through,
 * loops, break/continue, early return, do{}while(0), GNU statement expressions, `#ifdef` arms,
 * kernel macro loops, guard()/scoped_guard() scopes and trylock conditions. What it cannot model
 * it counts in `unmodelled` and, where a lock is involved, taints so the checkers stay silent.
 * Expressions and conditions: cfg-expr.ts; graph plumbing: cfg-base.ts.
 */
import type { Node } from 'web-tree-sitter';
import { BUDGET, BudgetExceeded, type BuildContext, classifyReturn, unparen } from './base';
import { memberStores } from './initialisers';
import { CondBuilder } from './cond';
import { harmfulParseErrors } from './errors';
import type { FunctionIR, RetClass } from '../ir';
import {
  callArgs,
  calleeName,
  declarationLikeCall,
  decideConditional,
  isConditional,
  macroBlockKind,
  macroHeader,
  nestingDepth,
  reparseAsCall,
} from '../syntax';
import { normaliseExpr } from '../ir';

export type { BuildContext } from './base';
export { siteOf } from './base';

export class CfgBuilder extends CondBuilder {
  build(): FunctionIR {
    const body = this.def.childForFieldName('body');
    const depth = body ? nestingDepth(body, BUDGET.nesting) : 0;
    if (depth > BUDGET.nesting) return this.incomplete(`it nests over ${BUDGET.nesting} syntax levels deep`);
    try {
      return this.walk(body);
    } catch (e) {
      if (e instanceof BudgetExceeded) return this.incomplete(e.message);
      throw e;
    }
  }

  /** An empty function (entry, return, exit) standing for one a budget stopped: nothing is inferred from it. */
  private incomplete(reason: string): FunctionIR {
    this.nodes.length = 0;
    const entry = this.nodeAt('entry', this.ir.site.line, this.ir.site.column);
    const ret = this.nodeAt('return', this.ir.site.line, this.ir.site.column);
    const exit = this.nodeAt('exit', this.ir.site.line, this.ir.site.column);
    this.nodes[ret].ret = { k: 'void' };
    this.edge(entry, ret);
    this.edge(ret, exit);
    Object.assign(this.ir, {
      entry,
      exit,
      incomplete: reason,
      lockSitesModelled: 0,
      unmodelled: { ...this.ir.unmodelled, budget: 1 },
    });
    return this.ir;
  }

  private walk(body: Node | null): FunctionIR {
    if (body?.hasError) {
      const harmful = harmfulParseErrors(body);
      if (harmful) {
        this.ir.unmodelled['parse-error'] = (this.ir.unmodelled['parse-error'] ?? 0) + harmful;
        this.ir.taintedKeys.add('*');
      }
    }
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
    this.aliases.apply(this.ir);
    return this.ir;
  }

  // ---- statements -----------------------------------------------------------------------------

  protected block(n: Node): void {
    this.scopes.push({ guards: [] });
    const kids = n.namedChildren.filter((c): c is Node => !!c);
    for (let i = 0; i < kids.length; i++) {
      // `again:` followed by `list_for_each_entry(...) {`: the label holds only the macro's header
      const inner =
        kids[i].type === 'labeled_statement'
          ? kids[i].namedChildren.filter((c) => c && c.type !== 'statement_identifier').pop()
          : undefined;
      const labelled = inner ? macroHeader(inner) : undefined;
      if (labelled && inner && kids[i + 1] && kids[i + 1].type === 'compound_statement') {
        this.labelHere(kids[i]);
        this.macroBlock(inner, labelled, kids[i + 1]);
        i++;
        continue;
      }
      const header = macroHeader(kids[i]);
      const next = kids[i + 1];
      const name = header ? (calleeName(header) ?? '') : '';
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

  protected stmt(n: Node): void {
    switch (n.type) {
      case 'compound_statement':
        this.block(n);
        return;
      case 'expression_statement': {
        this.startStmt(n);
        const e = n.namedChild(0);
        if (e) this.expr(e);
        return;
      }
      case 'declaration':
      case 'macro_type_specifier':
        this.declarationStmt(n);
        return;
      case 'if_statement':
        this.ifStmt(n);
        return;
      case 'while_statement':
        this.whileStmt(n);
        return;
      case 'for_statement':
        this.forStmt(n);
        return;
      case 'do_statement':
        this.doStmt(n);
        return;
      case 'switch_statement':
        this.switchStmt(n);
        return;
      case 'case_statement':
        this.caseBody(n);
        return;
      case 'break_statement':
        this.jump(n, 'brk');
        return;
      case 'continue_statement':
        this.jump(n, 'cont');
        return;
      case 'return_statement':
        this.returnStmt(n);
        return;
      case 'goto_statement':
        this.gotoStmt(n);
        return;
      case 'labeled_statement':
        this.labeled(n);
        return;
      case 'attributed_statement':
        for (const c of n.namedChildren) if (c && c.type !== 'attribute_declaration') this.stmt(c);
        return;
      case 'preproc_ifdef':
      case 'preproc_if':
      case 'preproc_elif':
      case 'preproc_else':
      case 'preproc_elifdef':
        this.preproc(n);
        return;
      case 'ERROR':
        this.errorNode(n);
        return;
      case 'function_definition':
        this.macroAsDefinition(n);
        return;
      case 'comment':
      case 'type_definition':
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
      case 'preproc_call':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_include':
      case ';':
        return;
      default:
        if (n.type.endsWith('_statement') || n.isNamed) this.count(`statement:${n.type}`);
    }
  }

  protected declarationStmt(n: Node): void {
    this.startStmt(n);
    if (declarationLikeCall(n) && this.reparsedCall(n)) return;
    if (n.type === 'declaration') this.declaration(n);
    else this.count('statement:macro_type_specifier');
  }

  /** A call the grammar read as a declaration (see syntax/reparse.ts): walked as the call it is. */
  protected reparsedCall(n: Node): boolean {
    const r = reparseAsCall(n);
    if (!r) return false;
    try {
      this.expr(r.call);
    } finally {
      r.done();
    }
    return true;
  }

  protected declaration(n: Node): void {
    for (const d of n.namedChildren) {
      if (!d) continue;
      if (d.type === 'identifier') {
        this.ir.locals.add(d.text);
        continue;
      }
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
      if (id) this.noteLastRef(id, value);
      if (value) {
        if (id && name?.type !== 'array_declarator') this.aliases.local(id, unparen(value));
        if (id && this.tryAssign(id, value, d)) continue;
        this.expr(value);
        if (id) this.assign(id, value, d);
        // a struct filled in its declaration: each constant member stored as by an assignment (initialisers.ts)
        if (id && name?.type === 'identifier' && value.type === 'initializer_list')
          for (const a of memberStores(id, value)) this.emit({ k: 'assign', ...a }, d);
      }
    }
  }

  protected ifStmt(n: Node): void {
    this.startStmt(n);
    const cond = n.childForFieldName('condition');
    const cons = n.childForFieldName('consequence');
    const alt = n.childForFieldName('alternative');
    const t = this.newNode('join', cons ?? n);
    const f = this.newNode('join', alt ?? n);
    if (cond) this.cond(cond, t, f);
    else {
      this.edge(this.here(n), t);
      this.edge(this.here(n), f);
    }
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

  protected loop(
    at: Node,
    header: (body: number, after: number) => void,
    body: Node | null,
    update?: Node | null,
  ): void {
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

  protected whileStmt(n: Node): void {
    const cond = n.childForFieldName('condition');
    this.loop(n, (b, a) => (cond ? this.cond(cond, b, a) : this.edge(this.here(n), b)), n.childForFieldName('body'));
  }

  protected forStmt(n: Node): void {
    this.startStmt(n);
    const init = n.childForFieldName('initializer');
    if (init) {
      if (init.type === 'declaration') this.declaration(init);
      else this.expr(init);
    }
    const cond = n.childForFieldName('condition');
    this.loop(
      n,
      (b, a) => {
        if (cond) this.cond(cond, b, a);
        else this.edge(this.here(n), b); // for (;;)
      },
      n.childForFieldName('body'),
      n.childForFieldName('update'),
    );
  }

  protected doStmt(n: Node): void {
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
    if (cond) this.cond(cond, bodyNode, after);
    else this.edge(test, after);
    this.cur = after;
  }

  protected switchStmt(n: Node): void {
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
    if (this.cur !== null) {
      this.releaseGuards([scope], n, 'end of scope');
      this.edge(this.cur, after);
    }
    this.jumps.pop();
    if (!hasDefault) this.edge(head, after);
    this.cur = after;
  }

  protected caseBody(c: Node): void {
    const value = c.childForFieldName('value');
    for (const s of c.namedChildren) if (s && s.id !== value?.id) this.stmt(s);
  }

  protected jump(n: Node, which: 'brk' | 'cont'): void {
    const j = this.jumps[this.jumps.length - 1];
    const target = j ? (which === 'brk' ? j.brk : j.cont) : undefined;
    if (target === undefined) {
      this.count(`stray-${n.type}`);
      return;
    }
    this.startStmt(n);
    this.releaseGuards(this.scopes.slice(j.depth), n, n.type === 'break_statement' ? 'break' : 'continue');
    this.edge(this.cur!, target);
    this.cur = null;
  }

  protected returnStmt(n: Node): void {
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
        for (const [node, taken] of [
          [ok, true],
          [fail, false],
        ] as const) {
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

  protected finishReturn(n: Node, ret: RetClass): void {
    if (this.cur === null) return;
    const r = this.newNode('return', n);
    this.nodes[r].ret = ret;
    this.edge(this.cur, r);
    this.cur = r;
    this.releaseGuards(this.scopes, n, 'return');
    this.edge(r, this.ir.exit);
    this.cur = null;
  }

  protected label(name: string, at: Node): number {
    let l = this.labels.get(name);
    if (l === undefined) {
      l = this.newNode('join', at);
      this.nodes[l].note = `label ${name}`;
      this.labels.set(name, l);
    }
    return l;
  }

  protected gotoStmt(n: Node): void {
    this.startStmt(n);
    const name = n.childForFieldName('label')?.text ?? '';
    this.nodes[this.cur!].note = `goto ${name}`;
    // labels are at function scope in kernel code: leave every inner guard scope
    this.releaseGuards(this.scopes.slice(1), n, `goto ${name}`);
    this.edge(this.cur!, this.label(name, n));
    this.cur = null;
  }

  /** Make the label of a labeled statement the current point. */
  protected labelHere(n: Node): void {
    const name = n.childForFieldName('label')?.text ?? '';
    const l = this.label(name, n);
    const ln = this.nodes[l];
    ln.line = n.startPosition.row + 1;
    ln.column = n.startPosition.column + 1;
    if (this.scopes.length > 1 && this.scopes.some((s) => s.guards.length)) this.count('label-inside-guard-scope');
    if (this.cur !== null) this.edge(this.cur, l);
    this.cur = l;
  }

  protected labeled(n: Node): void {
    this.labelHere(n);
    for (const c of n.namedChildren) {
      if (c && c.type !== 'statement_identifier') this.stmt(c);
    }
  }

  /**
   * `#ifdef X` / `#if EXPR` arms: either may be built; a fact keeps two #ifdefs on X correlated. An arm the
   * kernel configuration decides dead (syntax/conditionals.ts) is not built: the build never compiles it.
   */
  protected preproc(n: Node): void {
    const name = n.childForFieldName('name');
    const cond = n.childForFieldName('condition');
    const alt = n.childForFieldName('alternative');
    const first = () => {
      for (const c of n.namedChildren)
        if (c && c.id !== name?.id && c.id !== cond?.id && c.id !== alt?.id) this.stmt(c);
    };
    const second = () => {
      if (alt?.type === 'preproc_else') {
        for (const c of alt.namedChildren) if (c) this.stmt(c); // taken exactly when the #if arm is not
      } else if (alt) this.preproc(alt);
    };
    const live = this.ctx.config && isConditional(n) ? decideConditional(n, this.ctx.config) : undefined;
    if (live !== undefined) return live ? first() : second();
    this.startStmt(n);
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
    first();
    const endT = this.cur;
    this.cur = f;
    second();
    this.join(endT, n);
  }

  /**
   * `scoped_guard(rcu) { ... }` or `for_each_thing(x) { ... }` with one argument parses as a nested
   * function definition: type = the macro name, declarator = `(arg)`, body = the block.
   */
  protected macroAsDefinition(n: Node): void {
    const name = n.childForFieldName('type')?.text ?? '';
    const decl = n.childForFieldName('declarator');
    const body = n.childForFieldName('body');
    // `(void)`: a function whose return type the parser lost (`void __init\nfoo_init(void) {`), not a macro
    const arg = decl?.text.replace(/^\(|\)$/g, '').trim();
    if (!/^[A-Za-z_]\w*$/.test(name) || !decl || decl.type !== 'parenthesized_declarator' || !body || arg === 'void') {
      this.count('statement:function_definition');
      return;
    }
    this.startStmt(n);
    this.macroConstruct(n, name, [decl.text.replace(/^\(|\)$/g, '').trim()], body);
  }

  /** A macro with a body: `scoped_guard(class, lock) { }` is a guard scope; anything else is a loop over its body. */
  protected macroConstruct(at: Node, name: string, args: string[], body: Node): void {
    const kind = macroBlockKind(name, this.ctx.loopMacros);
    if (kind === 'scoped-guard') {
      this.scopes.push({ guards: [] });
      const g = args.length ? this.guardAcquire(args[0], args[1], at) : undefined;
      if (g) {
        this.emit(g, at);
        this.scopes[this.scopes.length - 1].guards.push(g);
      }
      this.stmt(body);
      const scope = this.scopes.pop()!;
      if (this.cur !== null) this.releaseGuards([scope], body, 'end of scoped_guard');
      return;
    }
    if (kind === 'block') this.count(`macro-block:${name}`);
    // the first argument of a for_each macro is its cursor, assigned on every iteration
    const cursor = /^[A-Za-z_]\w*$/.test(args[0] ?? '') ? args[0] : undefined;
    if (cursor) this.ir.assigned.add(cursor);
    this.loop(
      at,
      (b, a) => {
        if (cursor) this.emit({ k: 'assign', name: cursor }, at);
        this.edge(this.here(at), b);
        this.edge(this.here(at), a);
      },
      body,
    );
  }

  protected errorNode(n: Node): void {
    this.count('error-node');
    for (const call of n.descendantsOfType('call_expression')) {
      if (call && this.primOf(call)) this.ir.taintedKeys.add('*');
    }
    if (/\b(lock|unlock)\w*\s*\(/.test(n.text)) this.ir.taintedKeys.add('*');
  }

  protected macroBlock(stmt: Node, call: Node, body: Node): void {
    this.startStmt(stmt);
    for (const c of call.descendantsOfType('call_expression')) {
      if (c && c.id !== call.id && this.primOf(c)) {
        this.count('lock-in-macro-args');
        this.ir.taintedKeys.add('*');
      }
    }
    this.macroConstruct(
      call,
      calleeName(call) ?? '',
      callArgs(call).map((a) => a.text),
      body,
    );
  }
}

export function buildCfg(def: Node, ctx: BuildContext): FunctionIR {
  return new CfgBuilder(def, ctx).build();
}
