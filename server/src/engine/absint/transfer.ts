/**
 * The lock operations the transfer function is made of (take, release, sleep, forget), and the types
 * summaries and observers are made of; apply.ts applies one IR operation or edge guard with them,
 * calls.ts a callee's summary. They never report by themselves; the checker passes an `Observer` when
 * it replays the final states, so the fixpoint iterations stay silent.
 */
import { ATOMIC_KINDS, type Catalog, type Mode, NOFAULT_SCOPE, NOFS_SCOPE, SLEEPING_KINDS, kindNests } from '../model';
import { type LockFact, type State, aliasKeys, isHeld, pushTrail } from './domain';
import type { LockRef, Op, Site } from '../ir';
import type { PathStep } from '../model';
import { displayOfKey, flagLocks, rootIdentifier } from '../ir';
import type { Macros } from '../syntax';
import type { Guard } from './guard';

/** A lock a function takes inside; `template` names it relative to the parameters, when it can. */
export interface Acquisition {
  template?: string;
  ref: LockRef;
  mode: Mode;
  subclass?: string;
  witness: PathStep[];
  /**
   * Taken only on paths where the parameters (`{1}`, `{0}->flags&FOO_X`) or the task's state (`current->…`), as
   * on entry, read so (guard.ts, taskstate.ts).
   */
  when?: Guard[];
}

/** A lock the function needs its caller to hold (an assert or annotation, here or in a callee). */
/** A lock needed on entry; `callee` when it was passed up from a call rather than stated here. */
export interface Requirement {
  template: string;
  ref: LockRef;
  via: string;
  witness: PathStep[];
  callee?: string;
  /** Needed only where the parameters (or the task's state) on entry read so (guard.ts). */
  when?: Guard[];
}

/** A forbidden call somewhere inside, with the lock it must not be made under (relative to the parameters). */
export interface ForbiddenInside {
  call: string;
  reason: string;
  template: string;
  ref: LockRef;
  witness: PathStep[];
}

/** A call through a function-pointer field inside, resolved only where the caller's context is known. */
export interface Deferred {
  field: string;
  args: (string | undefined)[];
  witness: PathStep[];
  recvType?: string;
  /** Locks of the caller the callee has released on every path before this call (relative to the parameters). */
  dropped?: string[];
  /** What the task's state (`current->…`) reads where the call is made, on every path to it (taskstate.ts). */
  when?: Guard[];
}

/** A function's lock behaviour, relative to its parameters (`{0}->i_rwsem`), applied at its calls. */
export interface Summary {
  name: string;
  /** Locks taken somewhere inside (from not held), with one witness path each: what a caller must not hold. */
  acquires: Acquisition[];
  /** Indirect calls inside (through any depth of callees), resolved in the context of the function being checked. */
  deferred: Deferred[];
  /** Forbidden calls inside, for callers that may hold their lock. */
  forbidden: ForbiddenInside[];
  /** Locks it needs held on entry (lockdep_assert_held, __must_hold; passed up from callees). */
  requires: Requirement[];
  /** It may sleep, with one witness path (from a sleeping call or lock, through callees). */
  sleeps?: PathStep[];
  /** It may fault on user memory with page faults enabled, with one witness path (through callees). */
  faults?: PathStep[];
  /** It may enter filesystem reclaim (a GFP_KERNEL allocation outside a nofs scope), with one witness path. */
  reclaims?: PathStep[];
  /** An eviction entry's `acquires` as reclaim calls it: on an inode that still has links (function.ts). */
  reclaimAcquires?: Acquisition[];
  /**
   * Net effects on exit; `when` makes one depend on a parameter test (`if (flags & X_LOCK)`, `if (unlock)`,
   * `if (req->locked)`), evaluated at the call with the argument (a constant, or what the caller's facts say of
   * it, guard.ts), and `otherwise` applies if it is false.
   */
  effects: {
    template: string;
    ref: LockRef;
    delta: 1 | -1;
    mode: Mode;
    when?: { test: string; value: boolean };
    otherwise?: 0 | 1 | -1;
    /**
     * The effect happens at all only where these hold (guard.ts): a release split by `when` once the exits where
     * the lock's object is NULL (`if (!page) return;`, nothing of it held) are left out carries `{0}` true, so a
     * call given a page known NULL releases nothing.
     */
    guard?: Guard[];
    /**
     * Trylock-style: the lock is held after the call only when it returns nonzero (or zero). With `{ret}` in the
     * template, the lock is on the object the function returns: held when it is not NULL (`nonzero`) or not an
     * ERR_PTR (`noterr`), named through the variable the caller assigns it to.
     */
    onReturn?: 'nonzero' | 'zero' | 'noterr';
    /** Held through an owner the function handed it to (a transaction), which releases it later. */
    handed?: boolean;
  }[];
  /** Keys it changes on some exits only: callers forget them and stay silent about them. */
  conditional: string[];
  /**
   * What the caller may assume after the call, about memory it sees (guard.ts's form, as tests of `{ret}` and the
   * parameters): `{ret}->need_commit_sem` true, a field every exit returning an object (not NULL, not an ERR_PTR)
   * stored into it, assumed of the variable the caller assigns the result to; `*{1}` true, what every exit leaves
   * in a parameter's pointee (`*dropped = 1;` next to the unlock it records), the value of the caller's variable
   * whose address it passes (`&dropped`) after the call (returned.ts).
   */
  exitFacts?: Guard[];
  /**
   * It stands for a function not summarised yet (provisionalSummary): its `requires` only name the locks its
   * effects are on (requiredAs), they are not checked.
   */
  provisional?: true;
}

/** A candidate for an indirect call, with how it was chosen (`btrfs_file_operations.fsync`). */
export interface IndirectTarget {
  summary: Summary;
  via: string;
  /** How it was chosen (PathStep.resolvedBy): the function's own ops tables, its directory, or all of a few. */
  by?: 'table' | 'directory' | 'few';
  /** Its summary is not computed yet (a member of a recursive cycle summarised once): what it does is unknown. */
  pending?: boolean;
}

/** A lock filesystem reclaim takes: in which entry (`foo_evict_inode`, installed as `foo_super_ops.evict_inode`). */
export interface ReclaimTake {
  entry: string;
  via: string;
  ref: LockRef;
  mode: Mode;
  /** From the entry to the acquisition. */
  witness: PathStep[];
}

export interface Observer {
  /** `classOnly`: the instance could not be followed through the calls; the lock class matches. */
  recursive(
    op: Op & { k: 'acquire' },
    held: LockFact,
    s: State,
    via?: string,
    inner?: PathStep[],
    classOnly?: boolean,
  ): void;
  /** A lock this function needs on entry (an assert here, or a callee's requirement passed up), for the summary. */
  requirement?(
    lock: LockRef,
    req: string,
    s: State,
    site: Site,
    callee?: string,
    inner?: PathStep[],
    when?: Guard[],
  ): void;
  /** A callee's required lock is not held at the call. */
  missingLock?(
    lock: LockRef,
    req: string,
    s: State,
    site: Site,
    callee: string,
    inner: PathStep[],
    why: 'released' | 'not-taken',
  ): void;
  /** Something that may sleep (`what`), here or inside `via` along `inner`, with `atomic` held. */
  sleepInAtomic?(what: string, atomic: LockFact, s: State, site: Site, via?: string, inner?: PathStep[]): void;
  /** Something that may sleep, with no atomic section held here: for the summary. */
  maySleep?(what: string, s: State, site: Site, via?: string, inner?: PathStep[]): void;
  /** Something that may fault on user memory (`what`, here or inside `via` along `inner`), page faults enabled. */
  fault?(what: string, s: State, site: Site, via?: string, inner?: PathStep[]): void;
  /** An allocation that may enter filesystem reclaim (here or inside `via` along `inner`), outside a nofs scope. */
  reclaim?(what: string, s: State, site: Site, via?: string, inner?: PathStep[]): void;
  /** A forbidden call made (here, or inside `via` along `inner`) while `held` is held. */
  forbidden?(op: Op & { k: 'forbid' }, held: LockFact, s: State, via?: string, inner?: PathStep[]): void;
  /** A forbidden call whose lock is not held here, for the summary. */
  forbidCall?(op: Op & { k: 'forbid' }, s: State, via?: string, inner?: PathStep[]): void;
  /** A direct call is made in state `s` (what callers hold on entry, for hover). */
  callSite?(callee: string, s: State): void;
  /** `taken` is acquired while `held` is held (directly, or inside `via` along `inner`): a lock-order edge. */
  order?(held: LockFact, taken: LockRef, s: State, site: Site, via?: string, inner?: PathStep[]): void;
  /** An indirect call inside (`via` the callee that defers it, or direct), for the summary. */
  deferred?(d: Deferred, s: State, via: string | undefined, site: Site): void;
  /**
   * A lock taken from not held (for summaries); `inner` is the callee's witness when taken in a callee, `when`
   * the task facts the callee takes it under.
   */
  acquired?(op: Op & { k: 'acquire' }, s: State, via?: string, inner?: PathStep[], when?: Guard[]): void;
  doubleUnlock(op: Op & { k: 'release' }, prev: LockFact, s: State): void;
  /** A release of a lock this path never took nor was told the caller holds. */
  releaseUnknown(op: Op & { k: 'release' }, s: State): void;
  /** A release of a lock this path holds. */
  releaseHeld(op: Op & { k: 'release' }, s: State): void;
}

export interface TransferContext {
  /** The summary of a named callee, as resolved from the calling file; undefined when unknown. */
  summaryOf(name: string): Summary | undefined;
  /**
   * Candidates for a call through `field`, ranked for the function being checked; `hops` is how
   * many calls away from it the indirect call is (weak ranking rules only apply close by).
   */
  indirect?(field: string, hops: number, recvType?: string): IndirectTarget[];
  /** Identifiers assigned in the body: a lock expression over one can differ per loop iteration. */
  assigned: ReadonlySet<string>;
  /** Keys a conditional callee touched: findings about them are suppressed. */
  tainted: Set<string>;
  /** Names declared in the body: a lock rooted at one is never the caller's. */
  locals: ReadonlySet<string>;
  /** Keys the function itself takes somewhere. */
  acquiredKeys: ReadonlySet<string>;
  /** For evaluating flag-selecting wrappers at their call sites. */
  catalog: Catalog;
  /** Rewrite a lock name through the function's aliases (see aliases.ts). */
  canon?(key: string): string;
  /** Integer macros of the tree, to evaluate flag tests at call sites. */
  macros?: Macros;
  /**
   * The page-fault handlers (VM_FAULT_OPS) of the function's filesystem, which a user buffer mmapped from one of
   * its files faults into; undefined where the tree is not known yet (a check that needs them waits for it).
   */
  faultHandlers?(): IndirectTarget[];
  /** The locks filesystem reclaim takes (RECLAIM_ENTRIES), by lock class; undefined as above. */
  reclaimTakes?(): ReadonlyMap<string, ReclaimTake>;
}

export function findFact(s: State, ref: LockRef): [string, LockFact] | undefined {
  const hit = findNamed(s, ref);
  if (hit) return hit;
  // named through a pointer known equal to the one it was taken through (`m = &x->lock; ... up_read(m)`)
  for (const k of aliasKeys(ref.key, s.facts)) {
    const g = s.locks.get(k);
    if (g) return [k, g];
  }
  return undefined;
}

/** The fact of a lock under its own name (or its spelling as a range or a pointer). */
function findNamed(s: State, ref: LockRef): [string, LockFact] | undefined {
  const f = s.locks.get(ref.key);
  if (f) return [ref.key, f];
  if (ref.base) {
    // a range unlock spelled differently from its lock: match the held range on the same tree
    for (const [k, g] of s.locks) if (g.ref.base === ref.base && isHeld(g)) return [k, g];
  }
  if (ref.key.startsWith('*')) {
    const bare = ref.key.slice(1);
    const g = s.locks.get(bare);
    if (g) return [bare, g];
  }
  return undefined;
}

/** A release op renamed to the lock its pointer is known equal to: one object per (op, name), as checks key by op. */
const renamed = new WeakMap<Op, Map<string, Op & { k: 'release' }>>();
function renamedRelease(op: Op & { k: 'release' }, key: string): Op & { k: 'release' } {
  let m = renamed.get(op);
  if (!m) renamed.set(op, (m = new Map()));
  let r = m.get(key);
  if (!r) m.set(key, (r = { ...op, lock: { ...op.lock, key, display: displayOfKey(key) } }));
  return r;
}

/** `s` with the fact of lock `key` set (or, `f` undefined, removed), and `note` on its trail. */
export function withLock(s: State, key: string, f: LockFact | undefined, note?: { site: Site; text: string }): State {
  const locks = new Map(s.locks);
  if (f) locks.set(key, f);
  else locks.delete(key);
  const trail = note ? pushTrail(s.trail, note.site.line, note.site.column, note.text, key) : s.trail;
  return { locks, facts: s.facts, trail };
}

/** Is a repeat acquisition at the same site a new loop iteration over a different object? */
function loopVariant(ref: LockRef, assigned: ReadonlySet<string>): boolean {
  for (const id of ref.key.match(/[A-Za-z_]\w*/g) ?? []) if (assigned.has(id)) return true;
  return false;
}

export function nestable(op: Op & { k: 'acquire' }, held: LockFact): boolean {
  return op.lock.recursive && held.ref.recursive && kindNests(op.lock.kind, op.mode, held.mode);
}

/** A symbolic lock's op made concrete (one object per op and lock, as checks key by op). */
const concrete = new WeakMap<Op, Map<string, Op>>();
function concreteOp<T extends Op & { k: 'acquire' | 'release' }>(op: T, ref: LockRef, mode: Mode): T {
  let m = concrete.get(op);
  if (!m) concrete.set(op, (m = new Map()));
  let r = m.get(ref.key) as T | undefined;
  if (!r) m.set(ref.key, (r = { ...op, lock: ref, ...(op.k === 'acquire' ? { mode } : {}) }));
  return r;
}

/**
 * The locks a flag-selecting primitive takes where its flags are a variable known to hold one constant on these
 * paths (`lockflags = XFS_ILOCK_EXCL; xfs_ilock(ip, lockflags);`), else undefined (the lock stays symbolic).
 */
function concreteLocks(s: State, ref: LockRef, ctx: TransferContext): { ref: LockRef; mode: Mode }[] | undefined {
  const sym = ref.symbolic;
  if (!sym || !/^[A-Za-z_]\w*$/.test(sym.flags)) return undefined;
  const prim = ctx.catalog.primitive(sym.prim);
  const value = prim ? s.facts.constantOf(sym.flags) : undefined;
  return prim && value ? flagLocks(prim, sym.obj, value) : undefined;
}

export function acquire(
  s: State,
  op: Op & { k: 'acquire' },
  ctx: TransferContext,
  obs?: Observer,
  via?: string,
  inner?: PathStep[],
): State | undefined {
  const known = op.lock.symbolic ? concreteLocks(s, op.lock, ctx) : undefined;
  if (known) {
    let cur: State | undefined = s;
    for (const l of known) {
      cur = acquire(cur, concreteOp(op, l.ref, l.mode), ctx, obs, via, inner);
      if (!cur) return undefined;
    }
    return cur;
  }
  const hit = findFact(s, op.lock);
  if (hit && isHeld(hit[1])) {
    const held = hit[1];
    if (nestable(op, held)) return withLock(s, hit[0], { ...held, depth: (held.depth ?? 1) + 1 });
    const sameSubclass = (held.subclass ?? '') === (op.subclass ?? '');
    const loopRepeat = held.siteId === op.siteId && loopVariant(op.lock, ctx.assigned);
    if (sameSubclass && !loopRepeat) {
      // the task blocks on itself here: nothing after this on the path runs (and a trylock fails)
      obs?.recursive(op, held, s, via, inner);
      return undefined;
    }
    return s;
  }
  const text = via ? `calls ${via}(), which takes ${op.lock.display}` : `takes ${op.lock.display} (${op.via})`;
  if (hit && hit[1].status === 'dropped') {
    // drop-and-retake of the caller's lock: back to the entry state, net effect nothing
    return withLock(
      s,
      hit[0],
      { ...hit[1], status: 'caller', mode: op.mode, site: op.site, siteId: op.siteId },
      { site: op.site, text: `${text}, again held as on entry` },
    );
  }
  obs?.acquired?.(op, s, via, inner);
  if (SLEEPING_KINDS.has(op.lock.kind) && !via) sleep(s, `${op.via}(${op.lock.display})`, op.site, obs);
  if (obs?.order) for (const f of s.locks.values()) if (isHeld(f)) obs.order(f, op.lock, s, op.site, via, inner);
  return withLock(
    s,
    op.lock.key,
    {
      ref: op.lock,
      status: 'held',
      mode: op.mode,
      via: op.via,
      site: op.site,
      siteId: op.siteId,
      subclass: op.subclass,
      ...(op.onResult ? { ifFact: op.onResult } : {}),
    },
    { site: op.site, text },
  );
}

/**
 * A held lock that may be the same object as `key` under another name: the same field reached
 * through another pointer (`old->x` for `new->x`, `op->orig->x` for `op->new->x`).
 */
function aliasOf(s: State, key: string, _root: string): string | undefined {
  const field = /->([A-Za-z_]\w*)$/.exec(key)?.[1];
  if (!field) return undefined;
  for (const [k, f] of s.locks) {
    if (k === key || !isHeld(f)) continue;
    if (k.endsWith(`->${field}`) && f.ref.kind !== 'other') return k;
  }
  return undefined;
}

export function release(
  s: State,
  given: Op & { k: 'release' },
  ctx: TransferContext,
  obs?: Observer,
  via?: string,
): State {
  const known = given.lock.symbolic ? concreteLocks(s, given.lock, ctx) : undefined;
  if (known) return known.reduce((cur, l) => release(cur, concreteOp(given, l.ref, l.mode), ctx, obs, via), s);
  // `up_read(m)` with `m = &x->rwsem` known: a release of x->rwsem (held or not, a lock this function takes)
  const named = findNamed(s, given.lock);
  const aliases = named ? [] : aliasKeys(given.lock.key, s.facts);
  const alt = aliases.find((k) => s.locks.has(k)) ?? aliases.find((k) => ctx.acquiredKeys.has(k));
  const op = alt ? renamedRelease(given, alt) : given;
  const got = alt ? s.locks.get(alt) : undefined;
  const hit: [string, LockFact] | undefined = named ?? (alt && got ? [alt, got] : undefined);
  const text = via ? `calls ${via}(), which releases ${op.lock.display}` : `releases ${op.lock.display} (${op.via})`;
  if (!hit) {
    const root = rootIdentifier(op.lock.key);
    // `new->lock` released while `old->lock` is held: the two pointers may be the same object
    const alias = root ? aliasOf(s, op.lock.key, root) : undefined;
    if (alias) {
      ctx.tainted.add(op.lock.key);
      ctx.tainted.add(alias);
      return s;
    }
    if (root && ctx.locals.has(root) && !ctx.acquiredKeys.has(op.lock.key)) {
      // the object came locked from a callee we do not see (`cow = alloc_locked(); ... unlock(cow)`)
      ctx.tainted.add(op.lock.key);
      return s;
    }
    obs?.releaseUnknown(op, s);
    return withLock(
      s,
      op.lock.key,
      { ref: op.lock, status: 'dropped', mode: 'excl', via: op.via, inferred: true, releasedAt: op.site },
      { site: op.site, text },
    );
  }
  const [key, f] = hit;
  if (f.status === 'handed') {
    return withLock(
      s,
      key,
      { ...f, status: f.handedFrom === 'caller' ? 'dropped' : 'released', inferred: true, releasedAt: op.site },
      { site: op.site, text },
    );
  }
  if ((f.depth ?? 1) > 1 && isHeld(f)) {
    return withLock(s, key, { ...f, depth: (f.depth ?? 1) - 1 }, { site: op.site, text });
  }
  if (f.status === 'released' || f.status === 'dropped') {
    // a lock we only inferred the caller held may have been retaken by a callee we cannot see
    if (f.status === 'released' || !f.inferred) obs?.doubleUnlock(op, f, s);
    return s;
  }
  obs?.releaseHeld(op, s);
  return withLock(
    s,
    key,
    { ...f, status: f.status === 'held' ? 'released' : 'dropped', releasedAt: op.site },
    { site: op.site, text },
  );
}

/** Something that may sleep: reported if an atomic section is held, else recorded for the summary. */
export function sleep(s: State, what: string, site: Site, obs?: Observer, via?: string, inner?: PathStep[]): State {
  const atomic = [...s.locks.values()].find((f) => isHeld(f) && ATOMIC_KINDS.has(f.ref.kind));
  if (atomic) obs?.sleepInAtomic?.(what, atomic, s, site, via, inner);
  else obs?.maySleep?.(what, s, site, via, inner);
  return s;
}

/** Is the task inside the scope `key` (a held context), or may a callee have changed it unseen (tainted)? */
function inScope(s: State, key: string, ctx: TransferContext): boolean {
  const f = s.locks.get(key);
  return (f !== undefined && isHeld(f)) || ctx.tainted.has(key);
}

const atomicHeld = (s: State): boolean => [...s.locks.values()].some((f) => isHeld(f) && ATOMIC_KINDS.has(f.ref.kind));

/**
 * Something that may fault on user memory: observed unless page faults are off (`pagefault_disable()`, an
 * iterator's `nofault`) or an atomic section is held (the fault fails at once; sleep-in-atomic reports the call).
 */
export function fault(
  s: State,
  what: string,
  site: Site,
  ctx: TransferContext,
  obs?: Observer,
  via?: string,
  inner?: PathStep[],
): State {
  if (obs?.fault && !inScope(s, NOFAULT_SCOPE, ctx) && !atomicHeld(s)) obs.fault(what, s, site, via, inner);
  return s;
}

/** An allocation that may enter filesystem reclaim: observed unless a nofs scope is held (or atomic, as above). */
export function reclaim(
  s: State,
  what: string,
  site: Site,
  ctx: TransferContext,
  obs?: Observer,
  via?: string,
  inner?: PathStep[],
): State {
  if (obs?.reclaim && !inScope(s, NOFS_SCOPE, ctx) && !atomicHeld(s)) obs.reclaim(what, s, site, via, inner);
  return s;
}

/** Locks a callee we cannot see may drop and retake: forget them, and stay silent about them. */
export function escape(s: State, keys: string[] | undefined, roots: string[] | undefined, ctx: TransferContext): State {
  let locks: Map<string, LockFact> | undefined;
  for (const k of keys ?? []) {
    if (s.locks.has(k)) {
      locks ??= new Map(s.locks);
      locks.delete(k);
      ctx.tainted.add(k);
    }
  }
  if (roots?.length) {
    for (const k of s.locks.keys()) {
      const root = rootIdentifier(k);
      if (root && roots.includes(root)) {
        locks ??= new Map(s.locks);
        locks.delete(k);
        ctx.tainted.add(k);
      }
    }
  }
  return locks ? { locks, facts: s.facts, trail: s.trail } : s;
}
