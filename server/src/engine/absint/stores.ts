/**
 * Stores a function makes that its caller can see: fields and flag bits reached from its parameters
 * (`p->busy = 1`, `set_bit(F, &p->flags)`, `p->flags |= F`), what an out-parameter points to (`*done = true`),
 * globals; its own and its callees'. A summary lists those every exit leaves with the same value (true or
 * false, or one constant), as guards (guard.ts: a fact text relative to the parameters and its value,
 * `{0}->busy` true, `{0}->state==FOO_DONE` true); at a call, each is a fact the caller's later test reads (the
 * callee set the bit next to the lock it took). A store made on some paths only is not
 * listed, and the caller's facts about it stay, as for every call: memory a callee may write is assumed
 * unchanged (forgetting it would also cut a lock from the pointer it was taken through, as after `__d_move()`
 * rewrites `d_parent`, and a store that depends on the value it replaces, as `read_seqbegin_or_lock()` writing
 * `*seq` only when it is even, would lose what the caller knew).
 */
import type { State } from './domain';
import type { FunctionIR, Op } from '../ir';
import { normaliseExpr } from '../ir';
import type { Solution } from './solver';
import type { TransferContext } from './transfer';
import { type CalleeStore, type Guard, paramTemplate, substitute } from './guard';

/** Places a summary lists stores to (the first ones found), and the places it looks at for them. */
export const MAX_STORES = 32;
const MAX_PLACES = 256;

/** A stored place's constant, in a store guard's test (`{1}->state==FOO_DONE`). */
const STORED_CONST = /^(.+?)==(-?[A-Z0-9_][A-Za-z0-9_]*)$/;

/** Is `text` a place that outlives the call (not a local or a parameter variable itself)? */
function outlives(text: string, ir: FunctionIR): boolean {
  if (/^[A-Za-z_]\w*$/.test(text)) return !ir.locals.has(text) && !ir.params.includes(text);
  return true;
}

/**
 * `text` relative to the parameters; undefined when it names a local, or a parameter the body reassigns. Not
 * through the function's aliases: those name the objects its locks hang off (`tp->t_magic = MAGIC` would
 * read as `MAGIC`), not the places it stores to.
 */
function storeTemplate(text: string, ir: FunctionIR): string | undefined {
  if (!outlives(text, ir) || !/[a-z]/.test(text)) return undefined;
  const t = paramTemplate(text, ir);
  if (t === undefined) return undefined;
  for (const m of t.matchAll(/\{(\d+)\}/g)) if (ir.assigned.has(ir.params[Number(m[1])])) return undefined;
  return t;
}

/** The texts (as this function names them) it or its callees store, each with its template. */
function storedTexts(ir: FunctionIR, ctx: TransferContext): Map<string, string> {
  const out = new Map<string, string>();
  const add = (text: string): void => {
    if (out.size >= MAX_PLACES || out.has(text)) return;
    const t = storeTemplate(text, ir);
    if (t !== undefined) out.set(text, t);
  };
  for (const n of ir.nodes) {
    for (const op of n.ops) {
      if (op.k === 'assign') add(op.name);
      else if (op.k === 'call') for (const t of calleeStores(op, ctx).keys()) add(t);
    }
  }
  return out;
}

/** A callee's stores named with the call's arguments: each place, with its truth and its constant. */
function calleeStores(
  op: Op & { k: 'call' },
  ctx: TransferContext,
): Map<string, { value?: boolean; constant?: string }> {
  const out = new Map<string, { value?: boolean; constant?: string }>();
  const sum = ctx.summaryOf(op.callee);
  if (!sum?.stores?.length) return out;
  const args = op.args.map((a) => normaliseExpr(a));
  for (const g of sum.stores) {
    const eq = STORED_CONST.exec(g.test);
    const text = substitute(eq ? eq[1] : g.test, args);
    if (text === undefined) continue;
    const place = out.get(text) ?? {};
    if (eq) place.constant = eq[2];
    else place.value = g.value;
    out.set(text, place);
  }
  return out;
}

/**
 * The places (as `ir` names them) its callees store to, with a value every exit of the callee agrees on, and
 * where each call is: a test the flow reaches only before the call still reads the value on entry.
 */
export function calleeStoredTexts(ir: FunctionIR, ctx: TransferContext): CalleeStore[] {
  const out: CalleeStore[] = [];
  for (const n of ir.nodes)
    for (const op of n.ops)
      if (op.k === 'call')
        for (const text of calleeStores(op, ctx).keys()) out.push({ text, node: n.id, site: op.site });
  return out;
}

/** The stores of the function `sol` solves that every exit agrees on, as guards. */
export function storeFacts(sol: Solution, exitStates: readonly State[], ctx: TransferContext): Guard[] {
  const out: Guard[] = [];
  if (!exitStates.length || sol.saturated) return out;
  let places = 0;
  for (const [text, template] of storedTexts(sol.ir, ctx)) {
    if (places >= MAX_STORES) break;
    const value = agreed(exitStates, (s) => s.facts.get(text));
    const constant = agreed(exitStates, (s) => s.facts.constantOf(text));
    if (value === undefined && constant === undefined) continue;
    places++;
    if (value !== undefined) out.push({ test: template, value });
    if (constant !== undefined) out.push({ test: `${template}==${constant}`, value: true });
  }
  return out;
}

/** What every state says, when they all say the same. */
function agreed<T>(states: readonly State[], read: (s: State) => T | undefined): T | undefined {
  let out: T | undefined;
  for (const s of states) {
    const v = read(s);
    if (v === undefined || (out !== undefined && v !== out)) return undefined;
    out = v;
  }
  return out;
}

/** After a call: the callee's stores, as facts (what every exit of it leaves). */
export function applyStores(s: State, op: Op & { k: 'call' }, ctx: TransferContext): State {
  const stores = calleeStores(op, ctx);
  if (!stores.size) return s;
  let facts = s.facts;
  for (const [text, { value, constant }] of stores) facts = facts.stored(text, value, constant);
  return facts === s.facts ? s : { ...s, facts };
}
