/**
 * What a summary says of the objects its caller sees after the call: locks held on the object it returns (the
 * caller holds them through the variable it assigns the result to), facts about that object's fields, and what it
 * leaves in its parameters' pointees (Summary.exitFacts).
 */
import type { LockFact, State } from './domain';
import type { FunctionIR, LockRef, RetClass } from '../ir';
import { rootIdentifier } from '../ir';
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

/**
 * What every exit returning an object says of its fields (`p = kzalloc(..); if (!p) return NULL; p->need_sem = 1;
 * return p;`): the facts on `p->…` all of them agree on, as `{ret}->…`. Only when the exits that do not return NULL
 * (or an ERR_PTR) all return the same local.
 */
export function returnedFacts(ir: FunctionIR, rets: { state: State; ret: RetClass | undefined }[], sum: Summary): void {
  let root: string | undefined;
  const objs: State[] = [];
  for (const { state, ret } of rets) {
    if (ret?.k === 'const' && (ret.text === 'NULL' || ret.text === '0' || ret.error)) continue;
    if (ret?.k === 'expr' && /^ERR_(PTR|CAST)\(/.test(ret.text)) continue;
    if (ret?.k !== 'var' || !ir.locals.has(ret.name) || (root !== undefined && ret.name !== root)) return;
    root = ret.name;
    if (state.facts.get(ret.name) === false || state.facts.get(`IS_ERR(${ret.name})`) === true) continue;
    objs.push(state);
  }
  if (!root || !objs.length) return;
  const out: Guard[] = [];
  const prefix = new RegExp(`^${root}(?:(?:->|\\.)[A-Za-z_]\\w*)+(?:&[A-Z_][A-Z0-9_]*)?$`);
  const texts = new Set<string>();
  for (const c of objs[0].facts.conj) for (const k of c.keys()) if (prefix.test(k)) texts.add(k);
  for (const t of [...texts].sort()) {
    const v = objs[0].facts.get(t);
    if (v === undefined || objs.some((o) => o.facts.get(t) !== v)) continue;
    out.push({ test: `{ret}${t.slice(root.length)}`, value: v });
    if (out.length >= MAX_RET_FACTS) break;
  }
  if (out.length) sum.exitFacts = [...(sum.exitFacts ?? []), ...out];
}

/**
 * What every exit leaves in a pointer parameter's pointee (`*dropped = 1;`, written in the function): `*{i}` with
 * the truth value all exits agree on, for the caller's variable whose address it passes.
 */
export function pointeeFacts(ir: FunctionIR, exits: State[], sum: Summary): void {
  const out: Guard[] = [];
  ir.params.forEach((p, i) => {
    const target = `*${p}`;
    if (!p || !ir.nodes.some((n) => n.ops.some((op) => op.k === 'assign' && op.name === target))) return;
    const values = new Set(exits.map((s) => s.facts.get(target)));
    const [v] = values;
    if (values.size === 1 && v !== undefined) out.push({ test: `*{${i}}`, value: v });
  });
  if (out.length) sum.exitFacts = [...(sum.exitFacts ?? []), ...out];
}
