/**
 * What a summary says of the value a function returns: locks held on the object (the caller holds them through
 * the variable it assigns the result to), and facts every exit agrees on (`retFacts`): about the value itself
 * (never 0 or NULL, never an ERR_PTR, always one constant) and about the fields of the object it returns. At a
 * call, they become facts about the call's text (`f(x)` is nonzero, `IS_ERR(f(x))` is false, `f(x)->need_sem`
 * is set); the assignment of the result hands them to the variable (Facts.assign), so that the caller's later
 * test of it is decided (`h = start(r); if (IS_ERR(h)) { h = NULL; lock } ... if (!h) unlock`). They are true of
 * every call, whatever the caller's state, so a pure predicate's call text stays one fact however often it is
 * made.
 */
import type { Facts, LockFact, State } from './domain';
import type { FunctionIR, LockRef, RetClass } from '../ir';
import { CONSTANT_LIKE, rootIdentifier } from '../ir';
import type { Summary, TransferContext } from './transfer';
import { returnsLockedCall } from '../model';
import { type Guard, paramTemplate } from './guard';

/** Relativise a lock for a summary, keeping a symbolic lock's argument texts as templates. */
export function relativeRef(ref: LockRef, ir: FunctionIR): LockRef | undefined {
  if (!ref.symbolic) return ref;
  const obj = paramTemplate(ref.symbolic.obj, ir);
  const flags = paramTemplate(ref.symbolic.flags, ir);
  if (obj === undefined || flags === undefined) return undefined;
  return { ...ref, symbolic: { prim: ref.symbolic.prim, obj, flags } };
}

/**
 * Locks on the object the function returns (`mutex_lock(&f->lock); return f;`, `return find_lock_page(..)`
 * kept in a local): every exit holding the lock returns the local it is named through, and every other exit
 * returns NULL (or ERR_PTR) without it. The caller then holds it through the variable it assigns the result
 * to, where that is not NULL (not an ERR_PTR): `{ret}->lock`, held on `nonzero` (`noterr`).
 */
export function returnedObjectEffects(
  ir: FunctionIR,
  rets: { state: State; ret: RetClass | undefined }[],
  sum: Summary,
  ctx: TransferContext,
): void {
  const keys = new Set<string>();
  for (const e of rets) for (const [k, f] of e.state.locks) if (f.status === 'held') keys.add(k);
  for (const key of keys) {
    const root = rootIdentifier(key.replace(/^\*/, ''));
    if (!root || !ir.locals.has(root) || ir.params.includes(root)) continue;
    let nulls = false;
    let errs = false;
    let fact: LockFact | undefined;
    const fits = rets.every(({ state, ret }) => {
      const f = state.locks.get(key);
      // held, or held once the caller finds the result non-NULL (`p = find_lock_page(..); return p;`)
      if (f?.status === 'held' && (!f.ifFact || (f.ifFact.text === root && f.ifFact.value))) {
        fact ??= f;
        return ret?.k === 'var' && ret.name === root;
      }
      if (f && f.status !== 'released') return false;
      if (ret?.k === 'const') {
        if (ret.text === 'NULL' || ret.text === '0') return (nulls = true);
        return ret.error && (errs = true);
      }
      if (ret?.k === 'expr' && returnsLockedCall(ctx.catalog, ret.text)) return true; // `return grab_cache_page(..)`
      if (ret?.k === 'expr') return /^ERR_(PTR|CAST)\(/.test(ret.text) && (errs = true);
      if (ret?.k !== 'var' || ret.name !== root) return false;
      if (state.facts.get(root) === false) return (nulls = true);
      return state.facts.get(`IS_ERR(${root})`) === true && (errs = true);
    });
    // a page lock taken by a lookup is often handed to I/O whose completion unlocks it, which is not modelled:
    // a wrapper's callers are not held to it
    if (!fits || !fact || (nulls && errs) || fact.ref.kind === 'page' || fact.ref.kind === 'folio') continue;
    const ref = relativeRef(fact.ref, ir);
    if (!ref || ref.symbolic) continue;
    const template = key.replace(new RegExp(`(^|[^A-Za-z0-9_])${root}(?![A-Za-z0-9_])`), '$1{ret}');
    if (sum.effects.some((e) => e.template === template)) continue;
    sum.effects.push({ template, ref, delta: 1, mode: fact.mode, onReturn: errs ? 'noterr' : 'nonzero' });
  }
}

/** Facts a summary keeps about the object it returns. */
const MAX_RET_FACTS = 8;

/** A summary's name for the value the function returns. */
const RET = '{ret}';

/** What one exit's value is known to be. */
interface Value {
  nonzero?: boolean;
  noterr?: boolean;
  text?: string;
}

/** The truth of a constant's text: literals, `-errno`, macros the tree defines. */
function textTruth(text: string, ctx: Pick<TransferContext, 'macros'>): boolean | undefined {
  if (text === 'NULL' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d/.test(text)) {
    const v = Number(text.replace(/[uUlL]+$/, ''));
    return Number.isNaN(v) ? undefined : v !== 0;
  }
  // a negative errno, or a negative literal
  if (/^-(E[A-Z0-9]+|[1-9][0-9]*)$/.test(text)) return true;
  const v = ctx.macros?.value(text.replace(/^-/, ''));
  return v === undefined ? undefined : v !== 0;
}

/** What an exit returning `ret` in state `s` returns. */
function valueOf(ret: RetClass | undefined, s: State, ctx: TransferContext): Value | undefined {
  if (!ret || ret.k === 'void' || ret.k === 'try') return undefined;
  if (ret.k === 'const') {
    if (ret.text === 'ERR_PTR') return { nonzero: true, noterr: false };
    return { nonzero: textTruth(ret.text, ctx), noterr: true, text: ret.text };
  }
  if (ret.k === 'var') {
    const truth = ret.name === 'NULL' ? false : s.facts.get(ret.name);
    const noterr = truth === false || s.facts.get(`IS_ERR(${ret.name})`) === false;
    return { nonzero: truth, noterr, text: truth === false ? '0' : s.facts.constantOf(ret.name) };
  }
  // `return &x->y;`: an address
  if (ret.text.startsWith('&')) return { nonzero: true, noterr: true };
  if (ret.error) return { nonzero: true, noterr: true };
  // `return foo(x);`: what foo's summary says of its value
  const callee = /^([A-Za-z_]\w*)\(.*\)$/.exec(ret.text)?.[1];
  const r = callee ? ctx.summaryOf(callee)?.retFacts : undefined;
  if (!r) return undefined;
  const nonzero = r.find((g) => g.test === RET)?.value;
  const noterr = r.some((g) => g.test === `IS_ERR(${RET})` && !g.value);
  const eq = r.find((g) => g.test.startsWith(`${RET}==`) && g.value);
  return { nonzero, noterr, text: nonzero === false ? '0' : eq?.test.slice(RET.length + 2) };
}

/**
 * The facts every exit agrees on about the value it returns, as guards on `{ret}`: `{ret}` (its truth),
 * `IS_ERR({ret})` false, `{ret}==C`.
 */
function valueFacts(rets: readonly { state: State; ret: RetClass | undefined }[], ctx: TransferContext): Guard[] {
  if (!rets.length) return [];
  const values: Value[] = [];
  for (const e of rets) {
    const v = valueOf(e.ret, e.state, ctx);
    if (!v) return [];
    values.push(v);
  }
  const out: Guard[] = [];
  const text = values[0].text;
  const same = text !== undefined && values.every((v) => v.text === text);
  const truth = values.every((v) => v.nonzero === true)
    ? true
    : values.every((v) => v.nonzero === false)
      ? false
      : same
        ? textTruth(text, ctx)
        : undefined;
  if (truth !== undefined) out.push({ test: RET, value: truth });
  if (values.every((v) => v.noterr === true)) out.push({ test: `IS_ERR(${RET})`, value: false });
  if (same && truth !== false && CONSTANT_LIKE.test(text)) out.push({ test: `${RET}==${text}`, value: true });
  return out;
}

/**
 * What every exit says of the value it returns (valueFacts; not when a budget cut exits off, which may return
 * anything), and, where the exits that do not return NULL (or an ERR_PTR) all return the same local, what they
 * say of its fields (`p = kzalloc(..); if (!p) return NULL; p->need_sem = 1; return p;`): the facts on `p->…` all
 * of them agree on, as `{ret}->…`.
 */
export function returnedFacts(
  ir: FunctionIR,
  rets: { state: State; ret: RetClass | undefined }[],
  sum: Summary,
  ctx: TransferContext,
  saturated: boolean,
): void {
  const out: Guard[] = saturated ? [] : valueFacts(rets, ctx);
  out.push(...fieldFacts(ir, rets));
  if (out.length) sum.retFacts = out;
}

/** The `{ret}->…` facts of returnedFacts. */
function fieldFacts(ir: FunctionIR, rets: { state: State; ret: RetClass | undefined }[]): Guard[] {
  let root: string | undefined;
  const objs: State[] = [];
  for (const { state, ret } of rets) {
    if (ret?.k === 'const' && (ret.text === 'NULL' || ret.text === '0' || ret.error)) continue;
    if (ret?.k === 'expr' && /^ERR_(PTR|CAST)\(/.test(ret.text)) continue;
    if (ret?.k !== 'var' || !ir.locals.has(ret.name) || (root !== undefined && ret.name !== root)) return [];
    root = ret.name;
    if (state.facts.get(ret.name) === false || state.facts.get(`IS_ERR(${ret.name})`) === true) continue;
    objs.push(state);
  }
  if (!root || !objs.length) return [];
  const out: Guard[] = [];
  const prefix = new RegExp(`^${root}(?:(?:->|\\.)[A-Za-z_]\\w*)+(?:&[A-Z_][A-Z0-9_]*)?$`);
  const texts = new Set<string>();
  for (const c of objs[0].facts.conj) for (const k of c.keys()) if (prefix.test(k)) texts.add(k);
  for (const t of [...texts].sort()) {
    const v = objs[0].facts.get(t);
    if (v === undefined || objs.some((o) => o.facts.get(t) !== v)) continue;
    out.push({ test: `${RET}${t.slice(root.length)}`, value: v });
    if (out.length >= MAX_RET_FACTS) break;
  }
  return out;
}

/**
 * A call's result (its text, `call`) as the callee's summary describes it: each fact with `{ret}` read as the
 * call. One an earlier test of the same call text contradicts is left out.
 */
export function assumeReturned(facts: Facts, list: readonly Guard[] | undefined, call: string | undefined): Facts {
  if (!list?.length || !call) return facts;
  let cur = facts;
  for (const g of list) cur = cur.assume(g.test.split(RET).join(call), g.value) ?? cur;
  return cur;
}
