/**
 * Why the exits of a function may disagree on a lock without a bug: the return value tells the
 * caller (trylock-style functions, lock-returning helpers, VM_FAULT_LOCKED), the caller asked for it
 * (a flag parameter), or an annotation declares it. Used by the lock-imbalance checker.
 */
import type { LockFact, State } from '../absint';
import { mentions, retKind } from '../absint';
import { type CfgNode, type FunctionIR, type RetClass, rootIdentifier } from '../ir';
import { NAME_PATTERNS, returnsLockedCall } from '../model';

/** A state leaving the function, and what it did to each lock: +1 still held, -1 dropped the caller's. */
export interface ExitSeen {
  node: CfgNode;
  state: State;
  delta: Map<string, { d: number; fact: LockFact }>;
}

export function exitDelta(s: State): Map<string, { d: number; fact: LockFact }> {
  const m = new Map<string, { d: number; fact: LockFact }>();
  for (const [k, f] of s.locks) {
    if (f.ifFact) continue; // held only if a callee's result said so: undecided here
    if (f.status === 'held') m.set(k, { d: 1, fact: f });
    else if (f.status === 'dropped') m.set(k, { d: -1, fact: f });
  }
  return m;
}

/** How an exit returns, for messages and path notes. */
export function retText(r: RetClass | undefined): string {
  if (!r || r.k === 'void') return 'returning';
  if (r.k === 'const') return `returning ${r.text}`;
  if (r.k === 'var') return `returning ${r.name}`;
  if (r.k === 'try') return r.ok ? 'returning the trylock success' : 'returning the trylock failure';
  return `returning ${r.text.length > 40 ? r.text.slice(0, 37) + '...' : r.text}`;
}

type Kind = 'error' | 'ok' | 'true' | 'false' | 'unknown';
type Conj = ReadonlyMap<string, boolean>;

/** Variables that hold a -errno by kernel convention (a catalog pattern). */
const ERRNO_VAR = NAME_PATTERNS.errnoVar;
/** `VM_FAULT_LOCKED`-style return values (a catalog pattern). */
const LOCKED_RETURN = NAME_PATTERNS.lockedReturn;

/** How a constant a variable is known to hold reads as a return value. */
function constKind(text: string, v: string): Kind {
  if (text === '0' || text === 'false' || text === 'NULL') return 'false';
  if (text.startsWith('-') || text === 'ERR_PTR') return 'error';
  return ERRNO_VAR.test(v) ? 'error' : 'true';
}

/** The constants `v` is pinned to on one disjunct (`v==C`, or `v!=C` false); two mean no such path. */
function pinsOf(c: Conj, v: string): Set<string> {
  const out = new Set<string>();
  for (const [t, val] of c) {
    if (val && t.startsWith(`${v}==`)) out.add(t.slice(v.length + 2));
    if (!val && t.startsWith(`${v}!=`)) out.add(t.slice(v.length + 2));
  }
  return out;
}

/** How variable `v` reads on the paths of one disjunct: its known constant, NULL, IS_ERR, truth. */
function varKind(v: string, c: Conj): Kind | undefined {
  const pins = pinsOf(c, v);
  if (pins.size > 1) return undefined; // contradictory: the branch facts were not linked, no such path
  if (c.get(`IS_ERR(${v})`) === true || c.get(`IS_ERR_OR_NULL(${v})`) === true) return 'error';
  if (c.get(v) === false) return 'false';
  if (pins.size) return constKind([...pins][0], v);
  if (c.get(`IS_ERR(${v})`) === false || c.get(`IS_ERR_OR_NULL(${v})`) === false) return 'ok';
  if (c.get(v) === true) return ERRNO_VAR.test(v) ? 'error' : 'true';
  return 'unknown';
}

/**
 * What an exit returns, read on each class of paths its state stands for (a variable may be an
 * error code on some and a known constant on others). An exit known to fail on some of its paths
 * and unknown on the rest (`err = lnum; ... return err;` next to `err = -EROFS`) reads as failing.
 */
export function exitKinds(e: ExitSeen): Set<Kind> {
  const r = e.node.ret;
  if (r?.k !== 'var') return new Set([retKind(r, e.state)]);
  const out = new Set<Kind>();
  for (const c of e.state.facts.conj) {
    const k = varKind(r.name, c);
    if (k) out.add(k);
  }
  if (!out.size) out.add('unknown');
  if (out.has('error') && out.has('unknown') && !out.has('false') && !out.has('ok') && !out.has('true'))
    out.delete('unknown');
  return out;
}

/** Is the value an exit returns one the function assigns a `*_LOCKED` constant (VM_FAULT_LOCKED)? */
function lockedConstantsOf(ir: FunctionIR | undefined, name: string): boolean {
  if (!ir) return false;
  for (const n of ir.nodes)
    for (const op of n.ops)
      if (op.k === 'assign' && op.name === name && LOCKED_RETURN.test(op.constText ?? '')) return true;
  return false;
}

/**
 * The return value's name says the lock is held (VM_FAULT_LOCKED): a constant, or a variable every
 * path pins to one, or a variable the function sets to one and no path pins to another value
 * (`ret = VM_FAULT_LOCKED;` and facts lost at a join).
 */
export function returnsLockedName(e: ExitSeen, ir?: FunctionIR): boolean {
  const r = e.node.ret;
  if (r?.k === 'const') return LOCKED_RETURN.test(r.text);
  if (r?.k === 'expr') return /^block_page_mkwrite_return\(/.test(r.text); // VM_FAULT_LOCKED when it succeeded
  if (r?.k !== 'var') return false;
  const conj = e.state.facts.conj.filter((c) => pinsOf(c, r.name).size <= 1);
  const pinned = (c: Conj, locked: boolean): boolean =>
    [...pinsOf(c, r.name)].some((t) => LOCKED_RETURN.test(t) === locked);
  if (conj.length && conj.every((c) => pinned(c, true))) return true;
  return lockedConstantsOf(ir, r.name) && conj.every((c) => !pinned(c, false) && c.get(r.name) !== false);
}

/**
 * The exits holding the lock return the very object whose lock it is (`return stp;` with
 * `stp->st_mutex` held), and the exits without it return NULL, an error or another object.
 */
function returnsLockedObject(plus: ExitSeen[], zero: ExitSeen[], key: string): boolean {
  const root = rootIdentifier(key.replace(/^\*/, ''));
  if (!root || !zero.length) return false;
  if (!plus.every((e) => e.node.ret?.k === 'var' && e.node.ret.name === root)) return false;
  return zero.every((e) => {
    const r = e.node.ret;
    if (r?.k === 'const') return r.error || r.text === 'NULL' || r.text === '0';
    if (r?.k === 'var' && r.name !== root) return true;
    if (returnsLockedToo(e, root)) return true;
    return [...exitKinds(e)].every((k) => k === 'error' || k === 'false');
  });
}

/**
 * An exit that returns an object locked too, in a way the lock's state does not show: the page-cache lookup's
 * result itself (`return grab_cache_page(m, i);`), or the variable that holds it while no test decided it
 * (`page = find_lock_page(..); return page;`: locked when not NULL).
 */
function returnsLockedToo(e: ExitSeen, root: string): boolean {
  const r = e.node.ret;
  if (r?.k === 'expr') return returnsLockedCall(undefined, r.text);
  if (r?.k !== 'var' || r.name !== root) return false;
  return [...e.state.locks.values()].some((f) => f.ifFact?.text === root && f.ifFact.value);
}

/** The exits that never took the lock and return a value we cannot read: they state no contract. */
function known(zero: ExitSeen[], key: string | undefined): ExitSeen[] {
  if (!key) return zero;
  return zero.filter((e) => e.state.locks.has(key) || !exitKinds(e).has('unknown'));
}

/**
 * The exits whose values are set against those holding the lock: the ones that took it and let it
 * go, when there are such. An exit that never took it (the flags did not ask for it, the parent
 * is the dentry itself) returns whatever it returns for its own reason.
 */
function decisive(zero: ExitSeen[], key: string | undefined): ExitSeen[] {
  if (!key) return zero;
  const touched = zero.filter((e) => e.state.locks.has(key));
  return touched.length ? touched : zero;
}

/**
 * Is the caller's lock kept on exits that all return one errno constant the others never return
 * (`return -EAGAIN;` with the caller's lock still held, every other exit having dropped it)?
 */
function keptOnOneErrno(dropping: ExitSeen[], keeping: ExitSeen[]): boolean {
  const texts = new Set(keeping.map((e) => (e.node.ret?.k === 'const' && e.node.ret.error ? e.node.ret.text : '')));
  if (texts.size !== 1 || texts.has('') || texts.has('ERR_PTR')) return false;
  const [c] = texts;
  return dropping.every((e) => {
    const r = e.node.ret;
    if (r?.k === 'const') return r.text !== c;
    return r?.k !== 'var' || !e.state.facts.conj.some((d) => d.get(`${r.name}==${c}`));
  });
}

/**
 * Acquire-on-success: every exit holding the lock returns 0, and every exit that let it go returns
 * the error-code variable, known to be an error on some of its paths and never known to be 0.
 */
function acquireOnSuccess(plus: ExitSeen[], zero: ExitSeen[]): boolean {
  if (!plus.every((e) => e.node.ret?.k === 'const' && e.node.ret.text === '0')) return false;
  const errno = (e: ExitSeen): boolean => e.node.ret?.k === 'var' && ERRNO_VAR.test(e.node.ret.name);
  if (!zero.every(errno)) return false;
  const kinds = zero.map(exitKinds);
  return kinds.every((k) => [...k].every((x) => x === 'error' || x === 'unknown')) && kinds.some((k) => k.has('error'));
}

/**
 * Do the return values separate the exits that differ on a lock? A lock-returning helper holds it
 * when it returns a value and not when it returns NULL/ERR_PTR/-errno/false; a trylock-style
 * function returns true/false; an acquire-on-success helper returns 0 holding it and an error
 * without. Keeping the lock only on error returns is a leak (`strict`): the kernel's convention
 * decides the direction. `key` is the lock (to tell the exits that took it from those that never
 * did); `ir` lets a returned variable be read through its assignments.
 */
export function explainedByReturn(
  plus: ExitSeen[],
  zero0: ExitSeen[],
  strict: boolean,
  fn = '',
  key?: string,
  ir?: FunctionIR,
): boolean {
  if (plus.every((e) => returnsLockedName(e, ir))) return true;
  // both sides return the same variable and a fact about it tells them apart (`if (IS_ERR(e)) unlock`)
  if (separatedByReturnedVar(plus, zero0)) return true;
  if (strict && key && returnsLockedObject(plus, zero0, key)) return true;
  if (!strict && keptOnOneErrno(plus, zero0)) return true;
  const zero = strict ? known(zero0, key) : zero0;
  if (!zero.length) return false;
  const kinds = (es: ExitSeen[]): Set<Kind> => new Set(es.flatMap((e) => [...exitKinds(e)]));
  const kp = kinds(plus);
  const kz = kinds(zero);
  const overlap = [...kp].some((k) => k !== 'unknown' && kz.has(k));
  const zeroIsFailure = [...kz].every((k) => k === 'error' || k === 'false');
  // a value, not an error code: `return dentry;`, `return handle;` (an `err` of unknown value says nothing)
  const value = (e: ExitSeen): boolean =>
    e.node.ret?.k === 'expr' || (e.node.ret?.k === 'var' && !ERRNO_VAR.test(e.node.ret.name));
  const plusIsValue = plus.every(value) && !kp.has('error');
  if (zeroIsFailure && plusIsValue && !overlap) return true;
  // acquire-on-success: `return 0;` holding it, and the exits that let it go return the error
  // code variable, known to be an error on some of their paths and never known to be 0
  if (strict && !overlap && acquireOnSuccess(plus, zero)) return true;
  // a helper named for taking something that fails without it: holds on success only
  if (zeroIsFailure && !kp.has('error') && NAME_PATTERNS.acquirer.test(fn)) return true;
  // known values on both sides, told apart by the exits that took the lock and let it go
  const kd = strict ? kinds(decisive(zero, key)) : kz;
  if (kp.has('unknown') || kd.has('unknown') || [...kp].some((k) => kd.has(k))) return false;
  if (strict && [...kp].every((k) => k === 'error')) return false;
  return true;
}

function separatedByReturnedVar(a0: ExitSeen[], b0: ExitSeen[]): boolean {
  // early error exits (`return ERR_PTR(-ENOENT);`) do not decide it; the exits that return the variable do
  const errorish = (e: ExitSeen): boolean =>
    e.node.ret?.k === 'const' && (e.node.ret.error || e.node.ret.text === 'NULL');
  const a = a0.filter((e) => !errorish(e));
  const b = b0.filter((e) => !errorish(e));
  if (!a.length || !b.length) return false;
  const names = new Set([...a, ...b].map((e) => (e.node.ret?.k === 'var' ? e.node.ret.name : '')));
  if (names.size !== 1 || names.has('')) return false;
  const v = [...names][0];
  const texts = new Set<string>();
  for (const e of [...a, ...b])
    for (const c of e.state.facts.conj) for (const k of c.keys()) if (mentions(k, v)) texts.add(k);
  for (const t of texts) {
    const va = a[0].state.facts.get(t);
    if (va === undefined || !a.every((e) => e.state.facts.get(t) === va)) continue;
    if (b.every((e) => e.state.facts.get(t) === !va)) return true;
  }
  return false;
}

/**
 * Is a fact the caller decides (a parameter, a field or predicate of one) what separates the two
 * groups of exits? Then the function locks on the caller's request (`if (flags & X_LOCK) ...`,
 * `if (!is_zoned(fs_info)) return;`): a flag-selecting wrapper, judged at its call sites.
 */
export function splitByCallerFact(ir: FunctionIR, a: ExitSeen[], b: ExitSeen[]): boolean {
  return callerFactSplitting(ir, a, b) !== undefined;
}

/** The fact the caller decides that separates the two groups of exits (splitByCallerFact), if there is one. */
export function callerFactSplitting(ir: FunctionIR, a: ExitSeen[], b: ExitSeen[]): string | undefined {
  if (!a.length || !b.length) return undefined;
  const texts = new Set<string>();
  for (const e of [...a, ...b]) for (const c of e.state.facts.conj) for (const k of c.keys()) texts.add(k);
  const fixed = (id: string) => ir.params.includes(id) || (ir.locals.has(id) && !ir.assigned.has(id));
  const tested = testedTexts(ir);
  for (const t of texts) {
    // a request is tested: a fact the function (or a callee) stored (`tp->t_flags |= X_DIRTY`) is no request
    if (!tested.has(t) || !callerDetermined(t, fixed)) continue;
    // every exit of one group knows the fact one way, and no exit of the other knows it that way
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const v = x[0].state.facts.get(t);
      if (v === undefined || !x.every((e) => e.state.facts.get(t) === v)) continue;
      if (y.every((e) => e.state.facts.get(t) !== v)) return t;
    }
  }
  return undefined;
}

const testedCache = new WeakMap<FunctionIR, Set<string>>();

/** The conditions the function branches on (edge facts), and `x` for each `x==C` among them. */
function testedTexts(ir: FunctionIR): Set<string> {
  let out = testedCache.get(ir);
  if (out) return out;
  out = new Set<string>();
  for (const n of ir.nodes)
    for (const e of n.succ) {
      const t = e.guard?.fact?.text;
      if (!t) continue;
      out.add(t);
      const eq = t.indexOf('==');
      if (eq > 0) out.add(t.slice(0, eq));
    }
  testedCache.set(ir, out);
  return out;
}

function callerDetermined(text: string, fixed: (id: string) => boolean): boolean {
  if (text.startsWith('defined(') || text.startsWith('#if')) return true; // the configuration decides
  const ids = text.match(/(->|\.)?\s*[A-Za-z_]\w*\s*\(?/g) ?? [];
  let sawParam = false;
  for (const raw of ids) {
    const id = raw
      .replace(/^(->|\.)/, '')
      .replace(/\($/, '')
      .trim();
    if (raw.startsWith('->') || raw.startsWith('.') || raw.endsWith('(')) continue; // fields, function names
    if (/^[A-Z_][A-Z0-9_]*$/.test(id) || id === 'sizeof') continue; // constants
    if (!fixed(id)) return false;
    sawParam = true;
  }
  return sawParam || text.startsWith('defined(');
}

/** What an annotation says the function does to a lock: +1 __acquires, -1 __releases, 0 __must_hold. */
export function annotatedDelta(ir: FunctionIR, key: string): number | undefined {
  const has = (list: string[][]) => list.some((keys) => keys.includes(key) || keys.includes(key.replace(/^\*/, '')));
  if (has(ir.annotations.acquires)) return 1;
  if (has(ir.annotations.releases)) return -1;
  if (has(ir.annotations.mustHold)) return 0;
  return undefined;
}
