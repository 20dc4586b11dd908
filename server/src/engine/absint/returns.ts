/**
 * Facts about a function's return value that hold on every exit, carried to its callers: never 0 or NULL,
 * never an ERR_PTR, always one constant. At a call, they become facts about the call's text (`f(x)` is
 * nonzero, `IS_ERR(f(x))` is false); the assignment of the result hands them to the variable (Facts.assign),
 * so that the caller's later test of it is decided (`h = start(r); if (IS_ERR(h)) { h = NULL; lock } ...
 * if (!h) unlock`). They are true of every call, whatever the caller's state, so a pure predicate's call
 * text stays one fact however often it is made.
 */
import type { Facts, State } from './domain';
import type { RetClass } from '../ir';
import { CONSTANT_LIKE } from '../ir';
import type { ReturnFacts, TransferContext } from './transfer';

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

/** The constant a variable holds on every path of `s` (`x = -EIO;`, or tested `x == FOO_DONE`). */
export function knownConstant(s: State, name: string): string | undefined {
  for (const k of s.facts.conj[0]?.keys() ?? []) {
    if (!k.startsWith(`${name}==`)) continue;
    const c = k.slice(name.length + 2);
    if (CONSTANT_LIKE.test(c) && s.facts.get(k) === true) return c;
  }
  return undefined;
}

/** What an exit returning `ret` in state `s` returns. */
function valueOf(ret: RetClass | undefined, s: State, ctx: TransferContext): Value | undefined {
  if (!ret || ret.k === 'void' || ret.k === 'try') return undefined;
  if (ret.k === 'const') {
    if (ret.text === 'ERR_PTR') return { nonzero: true, noterr: false };
    const truth = textTruth(ret.text, ctx);
    return { nonzero: truth, noterr: true, text: ret.text };
  }
  if (ret.k === 'var') {
    const truth = ret.name === 'NULL' ? false : s.facts.get(ret.name);
    const noterr = truth === false || s.facts.get(`IS_ERR(${ret.name})`) === false;
    const c = truth === false ? '0' : knownConstant(s, ret.name);
    return { nonzero: truth, noterr, text: c };
  }
  // `return &x->y;`: an address
  if (ret.text.startsWith('&')) return { nonzero: true, noterr: true };
  if (ret.error) return { nonzero: true, noterr: true };
  // `return foo(x);`: what foo's summary says of its value
  const callee = /^([A-Za-z_]\w*)\(.*\)$/.exec(ret.text)?.[1];
  const r = callee ? ctx.summaryOf(callee)?.returns : undefined;
  if (!r) return undefined;
  return { nonzero: r.nonzero, noterr: r.noterr, text: r.value };
}

/** The facts every exit agrees on about the value it returns; undefined when there are none. */
export function returnFacts(
  rets: readonly { state: State; ret: RetClass | undefined }[],
  ctx: TransferContext,
): ReturnFacts | undefined {
  if (!rets.length) return undefined;
  const values: Value[] = [];
  for (const e of rets) {
    const v = valueOf(e.ret, e.state, ctx);
    if (!v) return undefined;
    values.push(v);
  }
  const out: ReturnFacts = {};
  if (values.every((v) => v.nonzero === true)) out.nonzero = true;
  if (values.every((v) => v.noterr === true)) out.noterr = true;
  const text = values[0].text;
  if (text !== undefined && values.every((v) => v.text === text)) out.value = text;
  return out.nonzero || out.noterr || out.value !== undefined ? out : undefined;
}

/** A call's result (its text, `call`) as the callee's summary describes it; `facts` unchanged if none apply. */
export function assumeReturn(
  facts: Facts,
  r: ReturnFacts | undefined,
  call: string | undefined,
  ctx: TransferContext,
): Facts {
  if (!r || !call) return facts;
  const out: [string, boolean][] = [];
  const truth = r.nonzero ? true : r.value !== undefined ? textTruth(r.value, ctx) : undefined;
  if (truth !== undefined) out.push([call, truth]);
  if (r.noterr) out.push([`IS_ERR(${call})`, false]);
  if (r.value !== undefined && truth !== false && CONSTANT_LIKE.test(r.value)) out.push([`${call}==${r.value}`, true]);
  let cur = facts;
  for (const [text, value] of out) {
    // a contradiction: an earlier test of the same call text said otherwise; leave the path as it is
    const next = cur.assume(text, value);
    if (!next) return facts;
    cur = next;
  }
  return cur;
}
