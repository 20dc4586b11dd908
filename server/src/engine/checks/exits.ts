/**
 * Why the exits of a function may disagree on a lock without a bug: the return value tells the
 * caller (trylock-style functions, lock-returning helpers, VM_FAULT_LOCKED), the caller asked for it
 * (a flag parameter), or an annotation declares it. Used by the lock-imbalance checker.
 */
import type { LockFact, State } from '../absint';
import { mentions, retKind } from '../absint';
import type { CfgNode, FunctionIR, RetClass } from '../ir';
import { NAME_PATTERNS } from '../model';

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

/** The return value's name says the lock is held (VM_FAULT_LOCKED), directly or through a variable. */
function returnsLockedName(e: ExitSeen): boolean {
  const r = e.node.ret;
  if (r?.k === 'const') return /_LOCKED$/.test(r.text);
  if (r?.k === 'expr') return /^block_page_mkwrite_return\(/.test(r.text); // VM_FAULT_LOCKED when it succeeded
  if (r?.k !== 'var') return false;
  return e.state.facts.conj.every((c) =>
    [...c].some(([t, v]) => v && t.startsWith(`${r.name}==`) && /_LOCKED$/.test(t)),
  );
}

/**
 * Do the return values separate the exits that differ on a lock? A lock-returning helper holds it
 * when it returns a value and not when it returns NULL/ERR_PTR/-errno/false; a trylock-style
 * function returns true/false. Keeping the lock only on error returns is a leak (`strict`).
 */
export function explainedByReturn(plus: ExitSeen[], zero: ExitSeen[], strict: boolean, fn = ''): boolean {
  const kp = new Set(plus.map((e) => retKind(e.node.ret, e.state)));
  const kz = new Set(zero.map((e) => retKind(e.node.ret, e.state)));
  if (plus.every(returnsLockedName)) return true;
  // both sides return the same variable and a fact about it tells them apart (`if (IS_ERR(e)) unlock`)
  if (separatedByReturnedVar(plus, zero)) return true;
  const zeroIsFailure = [...kz].every((k) => k === 'error' || k === 'false');
  const plusIsValue = plus.every((e) => e.node.ret?.k === 'var' || e.node.ret?.k === 'expr') && !kp.has('error');
  if (zeroIsFailure && plusIsValue) return true;
  // a helper named for taking something that fails without it: holds on success only
  if (zeroIsFailure && !kp.has('error') && NAME_PATTERNS.acquirer.test(fn)) return true;
  if (kp.has('unknown') || kz.has('unknown')) return false;
  for (const k of kp) if (kz.has(k)) return false;
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
  if (!a.length || !b.length) return false;
  const texts = new Set<string>();
  for (const e of [...a, ...b]) for (const c of e.state.facts.conj) for (const k of c.keys()) texts.add(k);
  const fixed = (id: string) => ir.params.includes(id) || (ir.locals.has(id) && !ir.assigned.has(id));
  for (const t of texts) {
    if (!callerDetermined(t, fixed)) continue;
    // every exit of one group knows the fact one way, and no exit of the other knows it that way
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const v = x[0].state.facts.get(t);
      if (v === undefined || !x.every((e) => e.state.facts.get(t) === v)) continue;
      if (y.every((e) => e.state.facts.get(t) !== v)) return true;
    }
  }
  return false;
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
