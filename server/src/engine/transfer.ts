/**
 * The transfer function: one Hoare triple per IR operation and per guarded edge.
 * `apply` never reports by itself; the checker passes an `Observer` when it replays the final
 * states, so the fixpoint iterations stay silent.
 */
import type { Mode } from './catalog';
import { type LockFact, type State, pushTrail } from './domain';
import type { EdgeGuard, LockRef, Op, Site } from './ir';
import { normaliseExpr } from './lockname';

/** A same-file function's net lock effect, relative to its parameters (`{0}->i_rwsem`). */
export interface Summary {
  name: string;
  effects: { template: string; ref: LockRef; delta: 1 | -1; mode: Mode }[];
  /** Keys it changes on some exits only: callers forget them and stay silent about them. */
  conditional: string[];
}

export interface Observer {
  recursive(op: Op & { k: 'acquire' }, held: LockFact, s: State, via?: string): void;
  doubleUnlock(op: Op & { k: 'release' }, prev: LockFact, s: State): void;
  /** A release of a lock this path never took nor was told the caller holds. */
  releaseUnknown(op: Op & { k: 'release' }, s: State): void;
  /** A release of a lock this path holds. */
  releaseHeld(op: Op & { k: 'release' }, s: State): void;
}

export interface TransferContext {
  summaries: ReadonlyMap<string, Summary>;
  /** Identifiers assigned in the body: a lock expression over one can differ per loop iteration. */
  assigned: ReadonlySet<string>;
  /** Keys a conditional callee touched: findings about them are suppressed. */
  tainted: Set<string>;
}

function findFact(s: State, ref: LockRef): [string, LockFact] | undefined {
  const f = s.locks.get(ref.key);
  if (f) return [ref.key, f];
  if (ref.base) {
    // a range unlock spelled differently from its lock: match the held range on the same tree
    for (const [k, g] of s.locks) if (g.ref.base === ref.base && (g.status === 'held' || g.status === 'caller')) return [k, g];
  }
  if (ref.key.startsWith('*')) {
    const bare = ref.key.slice(1);
    const g = s.locks.get(bare);
    if (g) return [bare, g];
  }
  return undefined;
}

function withLock(s: State, key: string, f: LockFact | undefined, note?: { site: Site; text: string }): State {
  const locks = new Map(s.locks);
  if (f) locks.set(key, f); else locks.delete(key);
  const trail = note ? pushTrail(s.trail, note.site.line, note.site.column, note.text, key) : s.trail;
  return { locks, facts: s.facts, trail };
}

const mentions = (text: string, name: string): boolean => new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`).test(text);

/** Is a repeat acquisition at the same site a new loop iteration over a different object? */
function loopVariant(ref: LockRef, assigned: ReadonlySet<string>): boolean {
  for (const id of ref.key.match(/[A-Za-z_]\w*/g) ?? []) if (assigned.has(id)) return true;
  return false;
}

function acquire(s: State, op: Op & { k: 'acquire' }, ctx: TransferContext, obs?: Observer, via?: string): State {
  const hit = findFact(s, op.lock);
  if (hit && (hit[1].status === 'held' || hit[1].status === 'caller')) {
    const held = hit[1];
    const nestable = op.lock.recursive && held.ref.recursive && (op.mode === 'shared' && held.mode === 'shared'
      || ['rcu', 'srcu', 'preempt', 'irq'].includes(op.lock.kind));
    const sameSubclass = (held.subclass ?? '') === (op.subclass ?? '');
    const loopRepeat = held.siteId === op.siteId && loopVariant(op.lock, ctx.assigned);
    if (!nestable && sameSubclass && !loopRepeat) obs?.recursive(op, held, s, via);
    return s;
  }
  const text = via ? `calls ${via}(), which takes ${op.lock.display}` : `takes ${op.lock.display} (${op.via})`;
  return withLock(s, op.lock.key, {
    ref: op.lock, status: 'held', mode: op.mode, via: op.via, site: op.site, siteId: op.siteId, subclass: op.subclass,
  }, { site: op.site, text });
}

function release(s: State, op: Op & { k: 'release' }, obs?: Observer, via?: string): State {
  const hit = findFact(s, op.lock);
  const text = via ? `calls ${via}(), which releases ${op.lock.display}` : `releases ${op.lock.display} (${op.via})`;
  if (!hit) {
    obs?.releaseUnknown(op, s);
    return withLock(s, op.lock.key, { ref: op.lock, status: 'dropped', mode: 'excl', via: op.via, inferred: true, releasedAt: op.site }, { site: op.site, text });
  }
  const [key, f] = hit;
  if (f.status === 'released' || f.status === 'dropped') {
    obs?.doubleUnlock(op, f, s);
    return s;
  }
  obs?.releaseHeld(op, s);
  return withLock(s, key, { ...f, status: f.status === 'held' ? 'released' : 'dropped', releasedAt: op.site }, { site: op.site, text });
}

function substitute(template: string, args: string[]): string {
  return normaliseExpr(template.replace(/\{(\d+)\}/g, (_m, i: string) => `(${args[Number(i)] ?? '?'})`));
}

function callSummary(s: State, op: Op & { k: 'call' }, ctx: TransferContext, obs?: Observer): State {
  const sum = ctx.summaries.get(op.callee);
  if (!sum) return s;
  let cur = s;
  for (const e of sum.effects) {
    const key = substitute(e.template, op.args);
    const ref: LockRef = { ...e.ref, key, display: e.ref.display.includes('{') ? substitute(e.ref.display, op.args) : displayFor(key, e.ref) };
    if (e.delta > 0) {
      cur = acquire(cur, { k: 'acquire', lock: ref, mode: e.mode, via: `${op.callee}()`, site: op.site, siteId: -1 }, ctx, obs, op.callee);
    } else {
      cur = release(cur, { k: 'release', lock: ref, via: `${op.callee}()`, site: op.site }, obs, op.callee);
    }
  }
  for (const t of sum.conditional) {
    const key = substitute(t, op.args);
    ctx.tainted.add(key);
    if (cur.locks.has(key)) cur = withLock(cur, key, undefined);
  }
  return cur;
}

function displayFor(key: string, ref: LockRef): string {
  return ref.display.startsWith('&') ? `&${key}` : key.startsWith('*') ? key.slice(1) : key;
}

/** Apply one operation; undefined means the path ends here (a call that does not return). */
export function applyOp(s: State, op: Op, ctx: TransferContext, obs?: Observer): State | undefined {
  switch (op.k) {
    case 'acquire': return acquire(s, op, ctx, obs);
    case 'release': return release(s, op, obs);
    case 'downgrade': {
      const hit = findFact(s, op.lock);
      if (!hit || (hit[1].status !== 'held' && hit[1].status !== 'caller')) return s;
      return withLock(s, hit[0], { ...hit[1], mode: 'shared' }, { site: op.site, text: `downgrades ${op.lock.display} to shared` });
    }
    case 'assert': {
      if (findFact(s, op.lock)) return s;
      return withLock(s, op.lock.key, { ref: op.lock, status: 'caller', mode: op.mode ?? 'excl', via: op.via, site: op.site },
        { site: op.site, text: `${op.via}: ${op.lock.display} must be held by the caller` });
    }
    case 'call': return callSummary(s, op, ctx, obs);
    case 'assign': {
      let facts: Map<string, boolean> | undefined;
      for (const k of s.facts.keys()) {
        if (mentions(k, op.name)) { facts ??= new Map(s.facts); facts.delete(k); }
      }
      if (op.value !== undefined) { facts ??= new Map(s.facts); facts.set(op.name, op.value); }
      return facts ? { locks: s.locks, facts, trail: s.trail } : s;
    }
    case 'noreturn': return undefined;
  }
}

/** Apply an edge's guard; undefined means the edge is infeasible for this state. */
export function applyGuard(s: State, g: EdgeGuard | undefined, ctx: TransferContext): State | undefined {
  if (!g) return s;
  let cur = s;
  if (g.fact) {
    const known = cur.facts.get(g.fact.text);
    if (known !== undefined && known !== g.fact.value) return undefined;
    if (known === undefined) {
      const facts = new Map(cur.facts);
      facts.set(g.fact.text, g.fact.value);
      cur = { locks: cur.locks, facts, trail: cur.trail };
    }
  }
  if (g.acquire) {
    // a trylock on a lock already held fails rather than deadlocks: no report
    cur = acquire(cur, g.acquire, ctx);
  } else if (g.note && g.site) {
    cur = { ...cur, trail: pushTrail(cur.trail, g.site.line, g.site.column, g.note) };
  }
  return cur;
}
