/**
 * Intraprocedural checkers. They replay the solved states through the transfer function with an
 * observer and turn what it sees into findings with witness paths:
 *   recursive-lock   a lock held on some path is taken again (same instance, same subclass)
 *   double-unlock    a lock already released on some path is released again
 *   unlock-not-held  a release reached both with the lock taken here and on a path that never took it
 *   lock-imbalance   exits disagree on a lock, and neither the return value (trylock-style,
 *                    error-returns) nor an annotation explains it
 */
import type { LockFact, State } from '../absint';
import { isHeld, mentions, retKind, trailSteps } from '../absint';
import { rootIdentifier } from '../ir';
import type { CfgNode, FunctionIR, LockRef, Op, RetClass, Site } from '../ir';
import { type Solution, runNode } from '../absint';
import { type Observer, type TransferContext, applyOp } from '../absint';
import type { Finding, FindingKind, PathStep, Severity } from '../model';

export interface CheckOptions {
  severity: Partial<Record<FindingKind, Severity>>;
  /** Receives the locks held at each direct call (whole-tree analysis: what callers hold). */
  callSite?(callee: string, held: string[]): void;
  /** Receives every lock-order edge with its witness path (whole-tree analysis). */
  order?(w: { held: LockFact; taken: LockRef; site: Site; path: PathStep[] }): void;
}

const DEFAULT_SEVERITY: Record<FindingKind, Severity> = {
  'recursive-lock': 'warning',
  'lock-imbalance': 'warning',
  'double-unlock': 'warning',
  'unlock-not-held': 'warning',
  'lock-order-inversion': 'warning',
  'forbidden-call': 'warning',
  'missing-required-lock': 'warning',
  'sleep-in-atomic': 'warning',
};

function lineOf(s: Site | undefined): string { return s ? `line ${s.line}` : 'entry'; }

class FindingSink {
  readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly ir: FunctionIR, private readonly opts: CheckOptions, private readonly suppressed: (key: string) => boolean) {}

  path(s: State, fromKey?: string, last?: { site: Site; note: string }): PathStep[] {
    let steps = trailSteps(s.trail);
    if (fromKey) {
      const i = steps.findIndex((t) => t.key === fromKey && /takes|must be held/.test(t.note));
      if (i > 0) steps = steps.slice(i);
    }
    const out: PathStep[] = steps.slice(-24).map((t) => ({ file: this.ir.file, line: t.line, column: t.column, function: this.ir.name, note: t.note }));
    if (last) out.push({ file: this.ir.file, line: last.site.line, column: last.site.column, function: this.ir.name, note: last.note });
    return out;
  }

  /** `cause` groups findings with one root cause (the same held acquisition retaken on several paths). */
  add(kind: FindingKind, key: string, lock: { class: string | null; display: string }, site: Site, message: string, path: PathStep[], cause?: string): void {
    if (this.suppressed(key)) return;
    const id = cause ? `${kind}|${key}|${cause}` : `${kind}|${site.line}|${site.column}|${key}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.findings.push({
      kind, message, severity: this.opts.severity[kind] ?? DEFAULT_SEVERITY[kind],
      file: this.ir.file, line: site.line, column: site.column, endLine: site.endLine, endColumn: site.endColumn,
      function: this.ir.name, lock: { class: lock.class, instance: lock.display }, path,
    });
  }
}

/** What happened at each release op: the states that held the lock and those that never took it. */
interface ReleaseSeen { op: Op & { k: 'release' }; held: State[]; unknown: State[] }

function retText(r: RetClass | undefined): string {
  if (!r || r.k === 'void') return 'returning';
  if (r.k === 'const') return `returning ${r.text}`;
  if (r.k === 'var') return `returning ${r.name}`;
  if (r.k === 'try') return r.ok ? 'returning the trylock success' : 'returning the trylock failure';
  return `returning ${r.text.length > 40 ? r.text.slice(0, 37) + '...' : r.text}`;
}

/** Function names that announce they return holding something. */
const ACQUIRER = /lock|grab|get|begin|prepare|acquire|start|find|lookup|enter|reserve/i;

interface ExitSeen { node: CfgNode; state: State; delta: Map<string, { d: number; fact: LockFact }> }

function exitDelta(s: State): Map<string, { d: number; fact: LockFact }> {
  const m = new Map<string, { d: number; fact: LockFact }>();
  for (const [k, f] of s.locks) {
    if (f.ifFact) continue; // held only if a callee's result said so: undecided here
    if (f.status === 'held') m.set(k, { d: 1, fact: f });
    else if (f.status === 'dropped') m.set(k, { d: -1, fact: f });
  }
  return m;
}

/**
 * Do the return values separate the exits that differ on a lock? A lock-returning helper holds it
 * when it returns a value and not when it returns NULL/ERR_PTR/-errno/false; a trylock-style
 * function returns true/false. Keeping the lock only on error returns is a leak (`strict`).
 */
function explainedByReturn(plus: ExitSeen[], zero: ExitSeen[], strict: boolean, fn = ''): boolean {
  const kp = new Set(plus.map((e) => retKind(e.node.ret, e.state)));
  const kz = new Set(zero.map((e) => retKind(e.node.ret, e.state)));
  // the return value's name says the lock is held (VM_FAULT_LOCKED), directly or through a variable
  const lockedName = (e: ExitSeen): boolean => {
    const r = e.node.ret;
    if (r?.k === 'const') return /_LOCKED$/.test(r.text);
    if (r?.k === 'expr') return /^block_page_mkwrite_return\(/.test(r.text); // VM_FAULT_LOCKED when it succeeded
    if (r?.k !== 'var') return false;
    return e.state.facts.conj.every((c) => [...c].some(([t, v]) => v && t.startsWith(`${r.name}==`) && /_LOCKED$/.test(t)));
  };
  if (plus.every(lockedName)) return true;
  // both sides return the same variable and a fact about it tells them apart (`if (IS_ERR(e)) unlock`)
  if (separatedByReturnedVar(plus, zero)) return true;
  const zeroIsFailure = [...kz].every((k) => k === 'error' || k === 'false');
  const plusIsValue = plus.every((e) => e.node.ret?.k === 'var' || e.node.ret?.k === 'expr') && !kp.has('error');
  if (zeroIsFailure && plusIsValue) return true;
  // a helper named for taking something that fails without it: holds on success only
  if (zeroIsFailure && !kp.has('error') && ACQUIRER.test(fn)) return true;
  if (kp.has('unknown') || kz.has('unknown')) return false;
  for (const k of kp) if (kz.has(k)) return false;
  if (strict && [...kp].every((k) => k === 'error')) return false;
  return true;
}

export function runChecks(sol: Solution, ctx: TransferContext, opts: CheckOptions): Finding[] {
  const ir = sol.ir;
  const tainted = ir.taintedKeys;
  const suppressed = (key: string): boolean => sol.saturated || tainted.has('*') || tainted.has(key) || ctx.tainted.has(key);
  const sink = new FindingSink(ir, opts, suppressed);
  const releases = new Map<Op, ReleaseSeen>();
  const exits: ExitSeen[] = [];

  const observer: Observer = {
    recursive(op, held, s, via, inner) {
      // name the lock as the function being checked spells it
      const name = held.ref.display || op.lock.display;
      const how = via ? `taken again via ${via}()` : `taken again by ${op.via}`;
      const cls = op.lock.class ? ` (${op.lock.class})` : '';
      const since = held.status === 'caller' ? `the caller holds it (${held.via})` : `already held since ${lineOf(held.site)} (${held.via})`;
      const path = sink.path(s, held.status === 'caller' ? undefined : held.ref.key);
      if (via && inner?.length) {
        path.push({ file: ir.file, line: op.site.line, column: op.site.column, function: ir.name, note: `calls ${via}() with ${name} held` });
        path.push(...inner.slice(0, -1));
        const last = inner[inner.length - 1];
        path.push({ ...last, note: `${last.note}: ${name} taken again, deadlock` });
      } else {
        path.push({ file: ir.file, line: op.site.line, column: op.site.column, function: ir.name, note: via ? `calls ${via}(), which takes ${name} again: deadlock` : `takes ${name} again (${op.via}): deadlock` });
      }
      const cause = held.site ? `${held.site.line}:${held.site.column}` : held.via;
      sink.add('recursive-lock', op.lock.key, { class: op.lock.class, display: name }, op.site, `possible recursive locking: ${name}${cls} ${how}; ${since}`, path, cause);
    },
    sleepInAtomic(what, atomic, s, site, via, inner) {
      const path = sink.path(s, atomic.status === 'caller' ? undefined : atomic.ref.key);
      if (via && inner?.length) {
        path.push({ file: ir.file, line: site.line, column: site.column, function: ir.name, note: `calls ${via}() with ${atomic.ref.display} held` });
        path.push(...inner);
      } else {
        path.push({ file: ir.file, line: site.line, column: site.column, function: ir.name, note: `${what} may sleep, with ${atomic.ref.display} held` });
      }
      sink.add('sleep-in-atomic', atomic.ref.key, atomic.ref, site,
        `sleeping in atomic context: ${via ? `${via}() may sleep` : `${what} may sleep`} while ${atomic.ref.display} (${atomic.ref.kind}) is held`, path,
        `sleep:${atomic.site ? `${atomic.site.line}:${atomic.site.column}` : atomic.via}`);
    },
    missingLock(lock, req, s, site, callee, inner, why) {
      const path = sink.path(s, undefined);
      path.push({ file: ir.file, line: site.line, column: site.column, function: ir.name, note: `calls ${callee}() without ${lock.display} held` });
      path.push(...inner);
      const state = why === 'released' ? 'it was released earlier on this path' : 'this path never took it, while other paths do';
      sink.add('missing-required-lock', lock.key, lock, site,
        `${callee}() requires ${lock.display} to be held (${req}), but ${state}`, path);
    },
    forbidden(op, held, s, via, inner) {
      const path = sink.path(s, held.status === 'caller' ? undefined : held.ref.key);
      if (via && inner?.length) {
        path.push({ file: ir.file, line: op.site.line, column: op.site.column, function: ir.name, note: `calls ${via}() with ${held.ref.display} held` });
        path.push(...inner);
      } else {
        path.push({ file: ir.file, line: op.site.line, column: op.site.column, function: ir.name, note: `calls ${op.call}() with ${held.ref.display} held` });
      }
      const how = via && via !== op.call ? ` (via ${via}())` : '';
      sink.add('forbidden-call', held.ref.key, { class: held.ref.class, display: held.ref.display }, op.site,
        `${op.call}() is called${how} while ${held.ref.display} is held: ${op.reason}`, path, `forbid:${held.site ? `${held.site.line}:${held.site.column}` : held.via}`);
    },
    doubleUnlock(op, prev, s) {
      sink.add('double-unlock', op.lock.key, op.lock, op.site,
        `double unlock: ${op.lock.display} was already released at ${lineOf(prev.releasedAt)}`,
        sink.path(s, undefined, { site: op.site, note: `releases ${op.lock.display} again (${op.via})` }));
    },
    order: opts.order ? (held, taken, s, site, via, inner) => {
      const path = sink.path(s, held.status === 'caller' ? undefined : held.ref.key);
      if (via) {
        path.push({ file: ir.file, line: site.line, column: site.column, function: ir.name, note: `calls ${via}() with ${held.ref.display} held` });
        path.push(...(inner ?? []));
      } else {
        path.push({ file: ir.file, line: site.line, column: site.column, function: ir.name, note: `takes ${taken.display} with ${held.ref.display} held` });
      }
      opts.order!({ held, taken, site, path });
    } : undefined,
    callSite: opts.callSite ? (callee, s) => {
      opts.callSite!(callee, [...s.locks.values()].filter((f) => isHeld(f)).map((f) => f.ref.display));
    } : undefined,
    releaseUnknown(op, s) { seen(op).unknown.push(s); },
    releaseHeld(op, s) { seen(op).held.push(s); },
  };
  function seen(op: Op & { k: 'release' }): ReleaseSeen {
    let r = releases.get(op);
    if (!r) { r = { op, held: [], unknown: [] }; releases.set(op, r); }
    return r;
  }

  for (const id of sol.order) {
    const node = ir.nodes[id];
    for (const s of sol.inStates[id]) {
      if (node.kind === 'return') {
        const out = runNode(ir, id, s, ctx);
        if (out) exits.push({ node, state: out, delta: exitDelta(out) });
      }
      // replay with the observer (goto notes are added by runNode; ops one by one here)
      let cur: State | undefined = s;
      for (const op of node.ops) {
        cur = applyOp(cur, op, ctx, observer);
        if (!cur) break;
      }
    }
  }

  // unlock-not-held: the same release reached with the lock taken here and on a path that never took it
  for (const r of releases.values()) {
    if (!r.unknown.length) continue;
    const takenHere = r.held.some((s) => {
      const f = s.locks.get(r.op.lock.key) ?? [...s.locks.values()].find((g) => g.ref.base && g.ref.base === r.op.lock.base);
      return f?.status === 'held';
    });
    if (!takenHere) continue;
    const s = r.unknown[0];
    sink.add('unlock-not-held', r.op.lock.key, r.op.lock, r.op.site,
      `unlock of ${r.op.lock.display}, which is not held on every path here: this path never took it`,
      sink.path(s, undefined, { site: r.op.site, note: `releases ${r.op.lock.display} (${r.op.via}) without holding it` }));
  }

  // an exit imbalance caused by a release already reported as unlock-not-held is the same bug
  const reported = new Set(sink.findings.filter((f) => f.kind === 'unlock-not-held').map((f) => f.lock.instance));
  imbalance(ir, exits, sink, reported);
  return sink.findings;
}

function separatedByReturnedVar(a0: ExitSeen[], b0: ExitSeen[]): boolean {
  // early error exits (`return ERR_PTR(-ENOENT);`) do not decide it; the exits that return the variable do
  const errorish = (e: ExitSeen): boolean => e.node.ret?.k === 'const' && (e.node.ret.error || e.node.ret.text === 'NULL');
  const a = a0.filter((e) => !errorish(e));
  const b = b0.filter((e) => !errorish(e));
  if (!a.length || !b.length) return false;
  const names = new Set([...a, ...b].map((e) => (e.node.ret?.k === 'var' ? e.node.ret.name : '')));
  if (names.size !== 1 || names.has('')) return false;
  const v = [...names][0];
  const texts = new Set<string>();
  for (const e of [...a, ...b]) for (const c of e.state.facts.conj) for (const k of c.keys()) if (mentions(k, v)) texts.add(k);
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
function splitByCallerFact(ir: FunctionIR, a: ExitSeen[], b: ExitSeen[]): boolean {
  if (!a.length || !b.length) return false;
  const texts = new Set<string>();
  for (const e of [...a, ...b]) for (const c of e.state.facts.conj) for (const k of c.keys()) texts.add(k);
  const fixed = (id: string) => ir.params.includes(id) || (ir.locals.has(id) && !ir.assigned.has(id));
  for (const t of texts) {
    if (!callerDetermined(t, fixed)) continue;
    // every exit of one group knows the fact one way, and no exit of the other knows it that way
    for (const [x, y] of [[a, b], [b, a]] as const) {
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
    const id = raw.replace(/^(->|\.)/, '').replace(/\($/, '').trim();
    if (raw.startsWith('->') || raw.startsWith('.') || raw.endsWith('(')) continue; // fields, function names
    if (/^[A-Z_][A-Z0-9_]*$/.test(id) || id === 'sizeof') continue; // constants
    if (!fixed(id)) return false;
    sawParam = true;
  }
  return sawParam || text.startsWith('defined(');
}

function annotatedDelta(ir: FunctionIR, key: string): number | undefined {
  const has = (list: string[][]) => list.some((keys) => keys.includes(key) || keys.includes(key.replace(/^\*/, '')));
  if (has(ir.annotations.acquires)) return 1;
  if (has(ir.annotations.releases)) return -1;
  if (has(ir.annotations.mustHold)) return 0;
  return undefined;
}

function imbalance(ir: FunctionIR, exits: ExitSeen[], sink: FindingSink, skip: Set<string>): void {
  if (exits.length < 1) return;
  const keys = new Set<string>();
  for (const e of exits) for (const k of e.delta.keys()) keys.add(k);
  for (const key of keys) {
    const groups = new Map<number, ExitSeen[]>();
    let fact: LockFact | undefined;
    // an exit on which the lock's object is known NULL says nothing about the lock
    const root = rootIdentifier(key.replace(/^\*/, ''));
    for (const e of exits) {
      if (root && e.state.facts.get(root) === false && !e.delta.has(key)) continue;
      const d = e.delta.get(key);
      fact ??= d?.fact;
      const g = groups.get(d?.d ?? 0) ?? [];
      g.push(e);
      groups.set(d?.d ?? 0, g);
    }
    if (!fact || skip.has(fact.ref.display)) continue;
    const declared = annotatedDelta(ir, key);
    const deltas = [...groups.keys()];
    let report: ExitSeen[] = [];
    if (declared !== undefined) {
      const good = groups.get(declared) ?? [];
      const bad = exits.filter((e) => (e.delta.get(key)?.d ?? 0) !== declared);
      if (!bad.length) continue;
      // the return value says which exits follow the declaration (`return -EAGAIN;` keeping it is a protocol)
      if (declared !== 0 && good.length && explainedByReturn(good, bad, false)) continue;
      report = bad;
    } else {
      if (deltas.length < 2) continue;
      const plus = groups.get(1) ?? [];
      const minus = groups.get(-1) ?? [];
      const zero = groups.get(0) ?? [];
      if (plus.length && zero.length && !minus.length) {
        if (explainedByReturn(plus, zero, true, ir.name)) continue;
        // an acquire helper (it never releases the lock itself) that sometimes returns without it
        if (/(^|_)(un|release)/.test(ir.name) === false && ACQUIRER.test(ir.name) && zero.every((e) => !e.state.locks.has(key))) continue;
        report = plus.length <= zero.length ? plus : zero;
      } else if (minus.length && zero.length && !plus.length) {
        // dropping a lock the caller holds on some exits only: a contract only an annotation or an
        // assert states; inferred from the releases alone it is too often an error-path protocol
        if (minus.some((e) => e.delta.get(key)?.fact.inferred)) continue;
        if (explainedByReturn(minus, zero, false)) continue;
        report = minus.length <= zero.length ? minus : zero;
      } else {
        report = plus.length ? plus : minus;
      }
    }
    // exits that never touched the lock vs exits that hold/dropped it, separated by a caller's flag:
    // the lock is taken on request (`if (flags & X_LOCK) lock(..)`); exits that took and released it
    // are not like that, so a return-with-lock there stays a leak
    const untouched = exits.filter((e) => !e.state.locks.has(key));
    const changed = exits.filter((e) => e.delta.has(key));
    if (untouched.length + changed.length === exits.length && splitByCallerFact(ir, changed, untouched)) continue;
    for (const e of report) {
      const d = e.delta.get(key)?.d ?? 0;
      const site: Site = { line: e.node.line, column: e.node.column, endLine: e.node.line, endColumn: e.node.column + 6 };
      const how = retText(e.node.ret);
      const f = e.delta.get(key)?.fact ?? fact;
      let msg: string;
      if (d > 0) msg = `lock imbalance: ${f.ref.display} taken at ${lineOf(f.site)} is still held when ${how}; other exits release it`;
      else if (d < 0) msg = `lock imbalance: ${f.ref.display} (held by the caller) is released on this path only, ${how}`;
      else msg = declared === 1 ? `lock imbalance: ${f.ref.display} is not held when ${how}, but the function is annotated __acquires`
        : `lock imbalance: ${f.ref.display} is not held when ${how}, while other exits keep it held`;
      sink.add('lock-imbalance', key, f.ref, site, msg,
        sink.path(e.state, d > 0 ? key : undefined, { site, note: d > 0 ? `${how} with ${f.ref.display} still held` : `${how}` }));
    }
  }
}
