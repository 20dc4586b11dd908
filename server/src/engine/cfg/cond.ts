/**
 * Lowering conditions into the CFG: trylocks split the flow with their outcome on each edge, `&&`/`||`
 * short-circuit, `ret < 0` on an errno-style value and comparisons with zero become truth tests, one fact
 * text stands for `a == b`, `b == a` and `a != b`, and other pure conditions become facts.
 */
import type { Node } from 'web-tree-sitter';
import { type LockPrimitive, decidedByResult } from '../model';
import { factText, isPure, siteOf, unparen } from './base';
import { callArgs, calleeName, constantTruth } from '../syntax';
import { CONSTANT_LIKE, equalityText, normaliseExpr } from '../ir';
import { ExprBuilder } from './expr';
import { dropsLast } from './idioms';

/** Wrappers whose value is their argument's. */
const PASS_THROUGH = new Set(['likely', 'unlikely', '__builtin_expect', 'data_race', 'READ_ONCE']);
/** Warning macros that return their condition. */
const WARNS = new Set(['WARN_ON', 'WARN_ON_ONCE', 'WARN', 'WARN_ONCE', 'unlikely']);
/** Predicates whose answer changes by itself between two tests: not facts. */
const VOLATILE_PREDICATE =
  /^(need_resched|signal_pending|fatal_signal_pending|time_after|time_before|time_is_|kthread_should_stop|freezing|try_to_freeze|rwsem_is_contended|spin_needbreak|spin_is_contended|atomic_|refcount_|test_and_|cmpxchg|xchg|try_cmpxchg|jiffies|ktime_get|get_random|percpu_counter_|list_empty_careful)/;

/**
 * Allocators of include/linux (slab.h, string.h, vmalloc.h, mempool.h): a non-NULL result is a new object,
 * distinct from every pointer the caller had. Not krealloc or kstrdup_const, which may return their argument.
 */
const ALLOCATORS = new Set([
  'kmalloc',
  'kzalloc',
  'kcalloc',
  'kmalloc_array',
  'kmalloc_node',
  'kzalloc_node',
  'kcalloc_node',
  'kmalloc_array_node',
  'kvmalloc',
  'kvzalloc',
  'kvcalloc',
  'kvmalloc_array',
  'kvmalloc_node',
  'kvzalloc_node',
  'kmem_cache_alloc',
  'kmem_cache_zalloc',
  'kmem_cache_alloc_node',
  'kmem_cache_alloc_lru',
  'kmemdup',
  'kmemdup_nul',
  'kstrdup',
  'kstrndup',
  'vmalloc',
  'vzalloc',
  'vmalloc_node',
  'vzalloc_node',
  'mempool_alloc',
]);

/** A pointer expression that can be copied and compared again: `q`, `x->f`, `&x->lock`, `*pp`, `HDR(bh)`. */
function copyable(e: Node): boolean {
  const v = unparen(e);
  switch (v.type) {
    case 'identifier':
      return !CONSTANT_LIKE.test(v.text);
    case 'field_expression': {
      const obj = v.childForFieldName('argument');
      return !!obj && copyable(obj);
    }
    case 'pointer_expression': {
      const arg = v.childForFieldName('argument');
      return !!arg && copyable(arg);
    }
    case 'cast_expression': {
      const val = v.childForFieldName('value');
      return !!val && copyable(val);
    }
    case 'call_expression': {
      // an upper-case function-like macro over pure operands (`HDR(bh)`, `EXT_FIRST(x)`): an expression
      const name = calleeName(v) ?? '';
      return /^[A-Z][A-Z0-9_]*$/.test(name) && callArgs(v).every((a) => copyable(a) || constantTruth(a) !== undefined);
    }
    default:
      return false;
  }
}

export abstract class CondBuilder extends ExprBuilder {
  /**
   * What `name = value` tells the path facts, beyond forgetting `name`: a copy of a pure pointer expression
   * gives the fact `name==value` (so `p = q; ... if (p == q)` is decided, and a lock taken through `q` can be
   * named through `p`); the address of an object is non-NULL; an allocator's value is fresh. `reads` lists the
   * variables the value is computed from.
   */
  protected assignFacts(
    name: string,
    value: Node,
  ): { eq?: string; fresh?: boolean; reads?: string[]; value?: boolean; copy?: string } | undefined {
    const v = unparen(value);
    if (constantTruth(v) !== undefined) return undefined;
    const ids = [v, ...v.descendantsOfType('identifier')].flatMap((n) =>
      n && n.type === 'identifier' && !CONSTANT_LIKE.test(n.text) ? [n.text] : [],
    );
    const reads = [...new Set(ids.filter((t) => t !== name))];
    const out: { eq?: string; fresh?: boolean; reads?: string[]; value?: boolean; copy?: string } = {};
    if (reads.length) out.reads = reads;
    if (v.type === 'call_expression' && ALLOCATORS.has(calleeName(v) ?? '')) out.fresh = true;
    else if (copyable(v) && !ids.includes(name)) {
      out.eq = equalityText(name, v.text);
      out.copy = normaliseExpr(v.text);
      if (v.type === 'pointer_expression' && v.childForFieldName('operator')?.text === '&') out.value = true;
    }
    return out.eq || out.fresh || out.reads ? out : undefined;
  }

  /** Success and failure edges of a trylock call, to `ok`/`fail` for a condition that is true on success. */
  protected trylockEdges(call: Node, prim: LockPrimitive, whenTrue: number, whenFalse: number, fact?: string): void {
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
      ? {
          k: 'acquire' as const,
          lock: locks[0].ref,
          mode: locks[0].mode,
          via: name,
          site,
          siteId: call.startIndex,
          subclass: this.subclass(prim, args),
        }
      : undefined;
    // only the first lock of a flag set is modelled on the edge; the rest are rare enough to taint
    for (const extra of locks.slice(1)) this.ir.taintedKeys.add(extra.ref.key);
    const okFact = fact ? { text: fact, value: okOnTrue } : undefined;
    const failFact = fact ? { text: fact, value: !okOnTrue } : undefined;
    this.edge(from, okTarget, {
      ...(acquire ? { acquire } : {}),
      ...(okFact ? { fact: okFact } : {}),
      note: `${name} succeeds`,
      site,
      ...(dropsLast(call) ? { lastRef: true as const } : {}),
    });
    this.edge(from, failTarget, { ...(failFact ? { fact: failFact } : {}), note: `${name} fails`, site });
    this.cur = null;
  }

  /**
   * A call used as a condition whose arguments are pure and which touches no lock
   * (`btrfs_is_zoned(fs_info)`, `test_bit(X, &f->flags)`): read as a fact, so that two tests of
   * the same predicate agree. An approximation: the predicate is assumed stable in between.
   */
  protected factable(e: Node): boolean {
    if (e.type === 'call_expression') {
      const name = calleeName(e);
      if (!name || this.ctx.catalog.primitive(name) || this.ctx.catalog.assertMacro(name)) return false;
      if (VOLATILE_PREDICATE.test(name)) return false;
      return callArgs(e).every((a) => this.factable(a));
    }
    if (
      e.type === 'assignment_expression' ||
      e.type === 'update_expression' ||
      e.type === 'compound_statement' ||
      e.type === 'ERROR'
    )
      return false;
    for (const c of e.namedChildren) if (c && !this.factable(c)) return false;
    return true;
  }

  /** A value that is 0 or -errno: a variable, or a call to a primitive whose success is zero. */
  protected errnoStyle(e: Node): boolean {
    if (e.type === 'identifier') return true;
    if (e.type !== 'call_expression') return false;
    const prim = this.primOf(e);
    return !prim || prim.success === 'zero';
  }

  protected hasTrylock(n: Node): boolean {
    return [n, ...n.descendantsOfType('call_expression')].some(
      (c) => !!c && c.type === 'call_expression' && this.primOf(c)?.op === 'trylock',
    );
  }

  /** `a && b`, `a || b`, `ret < 0`, `x == 0` as conditions; false when `e` is none of these. */
  protected binaryCond(e: Node, t: number, f: number): boolean {
    const op = e.childForFieldName('operator')?.text;
    const left = e.childForFieldName('left');
    const right = e.childForFieldName('right');
    if (left && right && (op === '&&' || op === '||')) {
      const mid = this.newNode('cond', right);
      if (op === '&&') this.cond(left, mid, f);
      else this.cond(left, t, mid);
      this.cur = mid;
      this.cond(right, t, f);
      return true;
    }
    // `ret < 0` on an errno-style value is `ret != 0`; `>= 0` is `== 0`
    if (
      left &&
      right &&
      (op === '<' || op === '>=') &&
      constantTruth(unparen(right)) === false &&
      this.errnoStyle(unparen(left))
    ) {
      if (op === '<') this.cond(left, t, f);
      else this.cond(left, f, t);
      return true;
    }
    if (left && right && (op === '==' || op === '!=')) {
      const lz = constantTruth(unparen(left)) === false;
      const rz = constantTruth(unparen(right)) === false;
      if (lz !== rz) {
        const other = lz ? right : left;
        if (op === '==') this.cond(other, f, t);
        else this.cond(other, t, f);
        return true;
      }
      // `a != b` is the negation of `a == b`, and `b == a` the same test: one fact text for all four
      if (!lz && !rz && this.factable(e)) {
        const text = equalityText(unparen(left).text, unparen(right).text);
        if (!isPure(e)) this.expr(e);
        const from = this.here(e);
        this.edge(from, op === '==' ? t : f, { fact: { text, value: true } });
        this.edge(from, op === '==' ? f : t, { fact: { text, value: false } });
        this.cur = null;
        return true;
      }
    }
    return false;
  }

  /** Lower a condition with short-circuit evaluation, sending true/false outcomes to t/f. */
  protected cond(n: Node, t: number, f: number): void {
    const e = unparen(n);
    if (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '!') {
      const arg = e.childForFieldName('argument');
      if (arg) {
        this.cond(arg, f, t);
        return;
      }
    }
    if (e.type === 'binary_expression' && this.binaryCond(e, t, f)) return;
    const truth = constantTruth(e);
    if (truth !== undefined) {
      this.edge(this.here(n), truth ? t : f);
      this.cur = null;
      return;
    }
    if (e.type === 'call_expression') {
      const prim = this.primOf(e);
      if (prim && decidedByResult(prim)) {
        this.trylockEdges(e, prim, t, f);
        return;
      }
      // likely(x), unlikely(x), WARN_ON(!trylock(..)): the value passes through
      const name = calleeName(e) ?? '';
      const inner = callArgs(e)[0];
      if (inner && (PASS_THROUGH.has(name) || (WARNS.has(name) && this.hasTrylock(inner)))) {
        this.cond(inner, t, f);
        return;
      }
    }
    if (e.type === 'assignment_expression') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      const rv = right ? unparen(right) : undefined;
      const prim = rv?.type === 'call_expression' ? this.primOf(rv) : undefined;
      // `if (!(page = find_lock_page(..)))`: the page comes back locked, then the test of the variable
      if (left?.type === 'identifier' && rv && prim?.returns && this.tryAssign(left.text, rv, e)) {
        this.cond(left, t, f);
        return;
      }
      if (left?.type === 'identifier' && rv && prim && decidedByResult(prim)) {
        this.ir.assigned.add(left.text);
        this.emit({ k: 'assign', name: left.text }, e);
        this.trylockEdges(rv, prim, t, f, left.text);
        return;
      }
    }
    // which outcome drops the last reference, if the condition says (release paths: summaries.ts)
    const last = this.lastRefOutcome(e);
    const mark = (v: boolean) => (last === v ? { lastRef: true as const } : {});
    if (this.factable(e)) {
      const text = factText(e);
      // a predicate call is still a call: its summary or escapes apply, and then the branch is a fact
      if (!isPure(e)) this.expr(e);
      const from = this.here(n);
      this.edge(from, t, { fact: { text, value: true }, ...mark(true) });
      this.edge(from, f, { fact: { text, value: false }, ...mark(false) });
      this.cur = null;
      return;
    }
    this.expr(e);
    const from = this.here(n);
    this.edge(from, t, last === true ? { lastRef: true } : undefined);
    this.edge(from, f, last === false ? { lastRef: true } : undefined);
    this.cur = null;
  }

  /**
   * The outcome of a condition that means the last reference went: true for `refcount_dec_and_test(..)` or a
   * variable holding its result, false for `--x->count` (zero). Undefined for any other condition.
   */
  private lastRefOutcome(e: Node): boolean | undefined {
    if (dropsLast(e)) return true;
    if (e.type === 'identifier' && this.lastRefVars.has(e.text)) return true;
    if (e.type === 'update_expression' && e.text.trim().startsWith('--')) return false;
    return undefined;
  }
}
