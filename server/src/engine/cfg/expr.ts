/**
 * Lowering expressions into the CFG: calls to lock primitives become operations, assignments and
 * `?:` are recorded, and statement expressions are inlined. Conditions (trylock outcomes on edges,
 * short-circuit `&&`/`||`, facts) are cond.ts, the layer above.
 */
import type { Node } from 'web-tree-sitter';
import { BIT_STORES, BIT_TEST, type LockPrimitive, type Mode, NAME_PATTERNS, decidedByResult } from '../model';
import { callEffects, givenKernelIter, kernelIterators, nofaultScope } from './effects';
import { WAITS_UNTIL, dropsLast, flagBits } from './idioms';
import { GraphBuilder, constantText, constantValue, siteOf, unparen } from './base';
import type { LockRef } from '../ir';
import { callArgs, calleeName } from '../syntax';
import { applyTemplate, displayOfKey, keyOfPointer, normaliseExpr } from '../ir';
import { flagLocks } from '../ir';
import { primitiveLocks } from './lockrefs';

/** Assertions that stop the kernel when their condition is true (include/asm-generic/bug.h). */
const BUGS = new Set(['BUG_ON', 'VM_BUG_ON']);

/**
 * The flag names of a mask (`F_A`, `F_A | F_B`; with `inverted`, `~F_A` or `~(F_A | F_B)`); none when it is
 * anything else.
 */
function maskFlags(e: Node, inverted: boolean): string[] {
  let v = e;
  if (inverted) {
    if (v.type !== 'unary_expression' || v.childForFieldName('operator')?.text !== '~') return [];
    const arg = v.childForFieldName('argument');
    if (!arg) return [];
    v = unparen(arg);
  }
  const names = normaliseExpr(v.text).split('|');
  return names.every((x) => /^[A-Z][A-Z0-9_]*$/.test(x)) ? names : [];
}

export abstract class ExprBuilder extends GraphBuilder {
  /** Lower a block (statement expressions need it); implemented by the statement builder. */
  protected abstract block(n: Node): void;
  /** Lower a condition, true outcomes to `t`, false ones to `f` (cond.ts). */
  protected abstract cond(n: Node, t: number, f: number): void;
  /** A trylock call's success and failure edges (cond.ts). */
  protected abstract trylockEdges(call: Node, prim: LockPrimitive, ok: number, fail: number, fact?: string): void;
  /** Whether a condition is read as a fact (cond.ts). */
  protected abstract factable(e: Node): boolean;
  /** What `name = value` tells the path facts: a copy, a fresh allocation, what it is computed from (cond.ts). */
  protected abstract assignFacts(
    name: string,
    value: Node,
  ): { eq?: string; fresh?: boolean; reads?: string[]; value?: boolean; copy?: string } | undefined;

  // ---- expressions ----------------------------------------------------------------------------

  protected primOf(call: Node): LockPrimitive | undefined {
    const name = calleeName(call);
    return name ? this.ctx.catalog.primitive(name) : undefined;
  }

  protected expr(n: Node): void {
    switch (n.type) {
      case 'call_expression':
        this.call(n);
        return;
      case 'parenthesized_expression': {
        const inner = n.namedChild(0);
        if (inner?.type === 'compound_statement') {
          this.block(inner);
          return;
        } // ({ ... })
        if (inner) this.expr(inner);
        return;
      }
      case 'assignment_expression':
        this.assignment(n);
        return;
      case 'update_expression': {
        const target = this.noteAssigned(n.childForFieldName('argument'));
        if (target) this.emit({ k: 'assign', name: target, ...(this.isPointer(target) ? { sameTruth: true } : {}) }, n);
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

  /** `x = e`, `p->f = e`, `x += e`: the value's own effects, then what the assignment changes. */
  protected assignment(n: Node): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    const name = left?.type === 'identifier' ? left.text : undefined;
    if (name) this.noteLastRef(name, n.childForFieldName('operator')?.text === '=' ? right : null);
    if (right && name && n.childForFieldName('operator')?.text === '=' && this.tryAssign(name, right, n)) return;
    if (right) this.expr(right);
    // storing an object somewhere (`op->vnode = vnode`) hands its locks to whoever reads it there
    const rv = right ? unparen(right) : undefined;
    if (rv?.type === 'identifier' && left && left.type !== 'identifier') {
      this.emit({ k: 'escape', keys: [], roots: [rv.text], callee: '=', site: siteOf(n) }, n);
      (this.ir.stores ??= []).push([normaliseExpr(left.text), rv.text]);
    }
    if (left?.type === 'field_expression' && right && n.childForFieldName('operator')?.text === '=') {
      const obj = left.childForFieldName('argument');
      if (obj?.type === 'identifier' && this.ir.locals.has(obj.text))
        this.aliases.field(normaliseExpr(left.text), unparen(right));
    }
    const scope = left?.type === 'field_expression' && right ? nofaultScope(left, right, n) : undefined;
    if (scope) this.emit(scope, n);
    const target = this.noteAssigned(left);
    const aop = n.childForFieldName('operator')?.text;
    if (target && (aop === '+=' || aop === '-=') && this.isPointer(target)) {
      this.emit({ k: 'assign', name: target, sameTruth: true }, n);
      return;
    }
    const cv = right && n.childForFieldName('operator')?.text === '=' ? unparen(right) : undefined;
    const rhs = cv?.type === 'call_expression' ? normaliseExpr(cv.text) : undefined;
    if (target)
      this.emit(
        {
          k: 'assign',
          name: target,
          value: cv ? constantValue(cv) : undefined,
          constText: cv ? constantText(cv) : undefined,
          ...(rhs ? { rhs } : {}),
          ...(cv && left?.type === 'identifier' ? this.assignFacts(target, cv) : {}),
          ...(right ? flagBits(aop, normaliseExpr(right.text)) : {}),
        },
        n,
      );
    // `p->flags |= F_DEAD` sets what `p->flags & F_DEAD` reads; `p->flags &= ~F_DEAD` clears it
    if (target && right && (aop === '|=' || aop === '&='))
      for (const flag of maskFlags(unparen(right), aop === '&='))
        this.emit({ k: 'assign', name: normaliseExpr(`${target}&${flag}`), value: aop === '|=' }, n);
  }

  private kernelIters?: ReadonlySet<string>;

  /** Is one of `args` an iterator this function makes over kernel memory (effects.ts)? */
  protected kernelIter(args: Node[]): boolean {
    this.kernelIters ??= kernelIterators(this.def);
    return givenKernelIter(this.kernelIters, args);
  }

  private pointerNames?: Set<string>;

  /**
   * Declared as a pointer (parameter or local) and never as anything else in this function: pointer
   * arithmetic on it (`p++`, `p += n`) keeps a non-NULL pointer non-NULL.
   */
  protected isPointer(name: string): boolean {
    if (!this.pointerNames) {
      const ptr = new Set<string>();
      const other = new Set<string>();
      for (const d of this.def.descendantsOfType(['parameter_declaration', 'declaration'])) {
        if (!d) continue;
        for (const c of d.namedChildren) {
          let x: Node | null = c;
          if (x?.type === 'init_declarator') x = x.childForFieldName('declarator');
          if (x?.type === 'identifier') other.add(x.text);
          else if (x?.type === 'pointer_declarator') {
            const id = x.childForFieldName('declarator');
            if (id?.type === 'identifier') ptr.add(id.text);
          } else if (x?.type === 'array_declarator') {
            const id = x.childForFieldName('declarator');
            if (id?.type === 'identifier') other.add(id.text);
          }
        }
      }
      for (const o of other) ptr.delete(o);
      this.pointerNames = ptr;
    }
    return this.pointerNames.has(name);
  }

  /** Contains something whose effect depends on being evaluated (lock calls, statement expressions). */
  protected interesting(n: Node): boolean {
    if (n.descendantsOfType('compound_statement').length) return true;
    return n
      .descendantsOfType('call_expression')
      .some((c) => !!c && (!!this.primOf(c) || this.ctx.callable(calleeName(c) ?? '')));
  }

  protected call(n: Node): void {
    const fn = n.childForFieldName('function');
    const args = callArgs(n);
    // guard(mutex)(&m);
    if (fn?.type === 'call_expression' && calleeName(fn) === 'guard') {
      const cls = callArgs(fn)[0];
      const g = cls ? this.guardAcquire(cls.text, args[0]?.text, n) : undefined;
      if (g) {
        this.emit(g, n);
        this.scopes[this.scopes.length - 1]?.guards.push(g);
      }
      return;
    }
    const name = calleeName(n);
    if (name) {
      // catalog assertion macros, and a filesystem's own by name: *bug_on* (must be false), *assert* (must be true)
      const am = this.ctx.catalog.assertion(name);
      if (am && args[0] && this.assertion(args[0], am.negated, n)) return;
      // wait_event(wq, cond) returns only once its condition is true (a trylock there has succeeded)
      if (WAITS_UNTIL.has(name) && args.length === 2) {
        this.sleepsAndForbidden(n, name, args);
        const again = this.newNode('stmt', n);
        const done = this.newNode('join', n);
        this.nodes[again].ops.push({ k: 'noreturn', via: name, site: siteOf(n) });
        this.cond(args[1], done, again);
        this.cur = done;
        return;
      }
      // BUG_ON(!rl): the kernel stops where the condition holds, so past it the condition is false
      if (BUGS.has(name) && args.length === 1 && this.factable(unparen(args[0]))) {
        const dead = this.newNode('stmt', n);
        const cont = this.newNode('join', n);
        this.nodes[dead].ops.push({ k: 'noreturn', via: name, site: siteOf(n) });
        this.cond(args[0], dead, cont);
        this.cur = cont;
        return;
      }
    }
    for (const a of args) this.expr(a);
    if (fn && fn.type !== 'identifier') this.expr(fn);
    if (!name) {
      this.fieldCall(n, fn, args);
      return;
    }
    this.sleepsAndForbidden(n, name, args);
    this.bitStore(n, name, args);
    const prim = this.ctx.catalog.primitive(name);
    if (prim && prim.op !== 'noreturn' && prim.op !== 'predicate') this.modelledSites.add(n.startIndex);
    if (!prim) {
      this.namedCall(n, name, args);
      return;
    }
    this.primitiveCall(n, name, prim, args);
  }

  /** A call to a lock primitive: its operation, on each lock it names. */
  protected primitiveCall(n: Node, name: string, prim: LockPrimitive, args: Node[]): void {
    switch (prim.op) {
      case 'acquire':
        for (const l of this.lockRefs(prim, args, n)) {
          this.emit(
            {
              k: 'acquire',
              lock: l.ref,
              mode: l.mode,
              via: name,
              site: siteOf(n),
              siteId: n.startIndex,
              subclass: this.subclass(prim, args),
            },
            n,
          );
        }
        return;
      case 'release':
        for (const l of this.lockRefs(prim, args, n))
          this.emit({ k: 'release', lock: l.ref, via: name, site: siteOf(n) }, n);
        return;
      case 'downgrade':
        for (const l of this.lockRefs(prim, args, n))
          this.emit({ k: 'downgrade', lock: l.ref, via: name, site: siteOf(n) }, n);
        return;
      case 'assert':
        for (const l of this.lockRefs(prim, args, n))
          this.emit({ k: 'assert', lock: l.ref, mode: prim.mode, via: name, site: siteOf(n) }, n);
        return;
      case 'trylock': {
        // result ignored or used in a way we do not follow: both outcomes
        const j = this.newNode('join', n);
        this.trylockEdges(n, prim, j, j);
        this.cur = j;
        return;
      }
      case 'handoff':
        for (const l of this.lockRefs(prim, args, n))
          this.emit({ k: 'handoff', lock: l.ref, via: name, site: siteOf(n) }, n);
        return;
      case 'release-handed':
        this.emit({ k: 'release-handed', via: name, site: siteOf(n) }, n);
        return;
      case 'await-release': {
        // the wait is still a call: what it does itself (it sleeps, it takes the tree's spinlock) is its summary's
        const only = prim.onlyWith;
        if (!only || new RegExp(`\\b${only.bit}\\b`).test(args[only.arg]?.text ?? ''))
          for (const l of this.lockRefs(prim, args, n))
            this.emit({ k: 'await-release', lock: l.ref, via: name, site: siteOf(n) }, n);
        this.namedCall(n, name, args);
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

  /**
   * `set_bit(F, &p->flags)`, `clear_bit(..)`, `test_and_set_bit(..)`: a store to the bit, which a later
   * `test_bit(F, &p->flags)` reads (a flag store, as `p->busy = 1` is: see BIT_STORES).
   */
  protected bitStore(n: Node, name: string, args: Node[]): void {
    if (!BIT_STORES.has(name) || args.length < 2) return;
    const value = BIT_STORES.get(name);
    const bit = normaliseExpr(`${BIT_TEST}(${args[0].text},${args[1].text})`);
    this.emit({ k: 'assign', name: bit, ...(value !== undefined ? { value, constText: value ? '1' : '0' } : {}) }, n);
  }

  /** A call through a function pointer: `file->f_op->fsync(...)` is an indirect call, resolved later. */
  protected fieldCall(n: Node, fn: Node | null, args: Node[]): void {
    const field = fn?.type === 'field_expression' ? (fn.childForFieldName('field')?.text ?? '') : '';
    // `q->ops->wake_and_unlock(q)`: an indirect call that says it unlocks may release what it is given
    const esc = this.escapes(NAME_PATTERNS.mayUnlockField.test(field), args);
    if (field && this.ctx.indirectCalls) {
      this.ir.fieldCalls.add(field);
      const recv = fn?.type === 'field_expression' ? fn.childForFieldName('argument')?.text : undefined;
      this.emit(
        {
          k: 'icall',
          field,
          args: args.map((a) => a.text),
          site: siteOf(n),
          ...esc,
          ...(recv ? { recv: normaliseExpr(recv) } : {}),
        },
        n,
      );
    } else if (esc.escapeKeys.length || esc.escapeRoots.length) {
      this.emit({ k: 'escape', keys: esc.escapeKeys, roots: esc.escapeRoots, callee: field, site: siteOf(n) }, n);
    }
  }

  /** A call that may sleep, fault, enter reclaim, or that must not happen under a lock (the catalog says which). */
  protected sleepsAndForbidden(n: Node, name: string, args: Node[]): void {
    for (const op of callEffects(this.ctx.catalog, n, name, args, () => this.kernelIter(args))) this.emit(op, n);
  }

  /** A call to a named function, not a lock primitive: its summary applies, or what it may do to locks it is given. */
  protected namedCall(n: Node, name: string, args: Node[]): void {
    const esc = this.escapes(NAME_PATTERNS.mayUnlockCall.test(name), args);
    if (this.ctx.callable(name)) {
      this.ir.callees.add(name);
      this.emit(
        {
          k: 'call',
          callee: name,
          args: args.map((a) => a.text),
          site: siteOf(n),
          ...esc,
          text: normaliseExpr(n.text),
          ...(this.kernelIter(args) ? { kernelIter: true as const } : {}),
        },
        n,
      );
    } else if (esc.escapeKeys.length || esc.escapeRoots.length) {
      this.emit({ k: 'escape', keys: esc.escapeKeys, roots: esc.escapeRoots, callee: name, site: siteOf(n) }, n);
    }
  }

  /**
   * What a call we may not see could do to the caller's locks: act on a lock whose address it is
   * given; and, when its name says it unlocks, on every lock rooted at what it is given.
   */
  protected escapes(unlocking: boolean, args: Node[]): { escapeKeys: string[]; escapeRoots: string[] } {
    const escapeRoots = unlocking
      ? args
          .map((a) => unparen(a))
          .flatMap((a) => {
            const id =
              a.type === 'identifier'
                ? a
                : a.type === 'pointer_expression' || a.type === 'field_expression'
                  ? a.descendantsOfType('identifier')[0]
                  : undefined;
            return id ? [id.text] : [];
          })
      : [];
    return { escapeKeys: this.escapedKeys(args), escapeRoots };
  }

  /** Lock keys an unknown callee could act on: `&x->lock` passed in, or `x->lock` given to a macro. */
  protected escapedKeys(args: Node[]): string[] {
    const keys: string[] = [];
    for (const a of args) {
      if (a.type === 'pointer_expression' && a.text.trimStart().startsWith('&')) keys.push(keyOfPointer(a.text));
      else if (a.type === 'field_expression') keys.push(normaliseExpr(a.text));
    }
    return keys;
  }

  /** ASSERT(pred) / WARN_ON(!pred): a lock the function requires. Returns false if not an assertion. */
  protected assertion(arg: Node, negated: boolean, at: Node): boolean {
    let e = unparen(arg);
    let neg = false;
    while (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '!') {
      neg = !neg;
      e = unparen(e.childForFieldName('argument')!);
    }
    if (e.type !== 'call_expression') return false;
    const prim = this.primOf(e);
    if (prim?.op === 'trylock' && prim.success !== 'zero') {
      // BUG_ON(mutex_trylock(&m)): it must fail, so the lock is held already;
      // BUG_ON(!mutex_trylock(&m)): it must succeed, so from here the lock is held
      const args = callArgs(e);
      for (const l of this.lockRefs(prim, args, e)) {
        if (neg === negated)
          this.emit(
            {
              k: 'acquire',
              lock: l.ref,
              mode: l.mode,
              via: calleeName(e) ?? prim.name,
              site: siteOf(e),
              siteId: e.startIndex,
            },
            at,
          );
        else
          this.emit({ k: 'assert', lock: l.ref, mode: l.mode, via: calleeName(at) ?? 'assert', site: siteOf(at) }, at);
      }
      this.modelledSites.add(e.startIndex);
      return true;
    }
    if (!prim || prim.op !== 'predicate' || neg !== negated) return false;
    for (const l of this.lockRefs(prim, callArgs(e), e)) {
      this.emit(
        {
          k: 'assert',
          lock: l.ref,
          mode: prim.flags ? l.mode : undefined,
          via: calleeName(at) ?? 'assert',
          site: siteOf(at),
        },
        at,
      );
    }
    return true;
  }

  protected subclass(prim: LockPrimitive, args: Node[]): string | undefined {
    if (prim.subclassArg === undefined) return undefined;
    const a = args[prim.subclassArg];
    return a ? normaliseExpr(a.text) : undefined;
  }

  /** The locks a primitive call designates (several for flag sets); lockrefs.ts. */
  protected lockRefs(prim: LockPrimitive, args: Node[], _at: Node): { ref: LockRef; mode: Mode }[] {
    const r = primitiveLocks(prim, args);
    if (r.missing) this.count('lock-call-without-argument');
    if (r.symbolic) this.ir.taintedKeys.add(r.symbolic);
    return r.locks;
  }

  /** `x = mutex_trylock(&m)`: split on the outcome with a fact about `x`. */
  protected tryAssign(name: string, value: Node, at: Node): boolean {
    const v = unparen(value);
    if (v.type !== 'call_expression') return false;
    const prim = this.primOf(v);
    if (prim?.returns) return this.returnedLock(name, v, prim, at);
    if (!prim || !decidedByResult(prim)) return false;
    this.ir.assigned.add(name);
    this.emit({ k: 'assign', name }, at);
    const j = this.newNode('join', at);
    this.trylockEdges(v, prim, j, j, name);
    this.cur = j;
    return true;
  }

  /**
   * `page = find_lock_page(..)`: the call, the assignment, then the lock on the object it returned, named
   * through `name` and held where `name` is non-NULL (a later test of it decides; untested, it stays undecided).
   */
  private returnedLock(name: string, v: Node, prim: LockPrimitive, at: Node): boolean {
    this.call(v);
    this.ir.assigned.add(name);
    this.emit({ k: 'assign', name }, at);
    const args = callArgs(v);
    let locks: { ref: LockRef; mode: Mode }[] = [];
    if (prim.flags) {
      const flags = args[prim.flags.arg];
      locks = (flags && flagLocks(prim, name, flags.text)) || [];
    } else if (prim.lock) {
      const key = applyTemplate(prim.lock, name);
      locks = [
        {
          ref: { key, display: displayOfKey(key), class: prim.class ?? null, kind: prim.kind, recursive: false },
          mode: prim.mode ?? 'excl',
        },
      ];
    }
    const nw = prim.nowait;
    const nowait = nw === true || (!!nw && new RegExp(`\\b${nw.bit}\\b`).test(args[nw.arg]?.text ?? ''));
    for (const l of locks) {
      this.emit(
        {
          k: 'acquire',
          lock: l.ref,
          mode: l.mode,
          via: prim.name,
          site: siteOf(v),
          siteId: v.startIndex,
          onResult: { text: name, value: prim.success !== 'zero' },
          from: normaliseExpr(v.text),
          ...(nowait ? { nowait: true as const } : {}),
        },
        at,
      );
    }
    return true;
  }

  /** Variables holding whether a reference drop was the last (`zero = refcount_dec_and_test(..)`). */
  protected readonly lastRefVars = new Set<string>();

  /** `name` now holds `value`: whether it says a last reference went. */
  protected noteLastRef(name: string, value: Node | null): void {
    if (value && dropsLast(unparen(value))) this.lastRefVars.add(name);
    else this.lastRefVars.delete(name);
  }

  protected assign(name: string, value: Node, at: Node): void {
    const v = unparen(value);
    const rhs = v.type === 'call_expression' ? normaliseExpr(v.text) : undefined;
    this.emit(
      {
        k: 'assign',
        name,
        value: constantValue(v),
        constText: constantText(v),
        ...(rhs ? { rhs } : {}),
        ...this.assignFacts(name, v),
      },
      at,
    );
  }
}
