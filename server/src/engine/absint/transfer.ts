/**
 * The lock operations the transfer function is made of (take, release, sleep, forget), and the types
 * summaries and observers are made of; apply.ts applies one IR operation or edge guard with them,
 * calls.ts a callee's summary. They never report by themselves; the checker passes an `Observer` when
 * it replays the final states, so the fixpoint iterations stay silent.
 */
import {
  ATOMIC_KINDS,
  type Catalog,
  type Mode,
  NOFAULT_SCOPE,
  NOFS_SCOPE,
  SLEEPING_KINDS,
  blockingFlags,
  kindNests,
} from '../model';
import { type LockFact, type State, aliasKeys, isHeld, pushTrail } from './domain';
import type { LockRef, Op, Site } from '../ir';
import type { PathStep } from '../model';
import { displayOfKey, flagLocks, rootIdentifier } from '../ir';
import type { Macros } from '../syntax';
import type { Guard } from './guard';

export type { Acquisition, Requirement, ForbiddenInside, Deferred, Summary, IndirectTarget } from './summary';
import type { Deferred, IndirectTarget, Summary } from './summary';

/**
 * Why a required lock is missing at a call: released earlier on the path; not taken on this path while others
 * take it; or a lock of the filesystem's own in a method the VFS calls (`entry`: the VFS never holds it).
 */
export type MissingWhy = 'released' | 'not-taken' | 'entry';

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
    why: MissingWhy,
  ): void;
  /** Something that may sleep (`what`), here or inside `via` along `inner`, with `atomic` held. */
  sleepInAtomic?(what: string, atomic: LockFact, s: State, site: Site, via?: string, inner?: PathStep[]): void;
  /** Something that may sleep, with no atomic section held here: for the summary. */
  maySleep?(what: string, s: State, site: Site, via?: string, inner?: PathStep[]): void;
  /**
   * Something that sleeps only under `when` (guards in this function's terms: allocation flags, tests of what it
   * was given), which only a caller decides: for the summary.
   */
  maySleepIf?(what: string, when: Guard[], s: State, site: Site, via?: string, inner?: PathStep[]): void;
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
  /**
   * `taken` is acquired (with lockdep subclass `subclass`) while `held` is held (directly, or inside `via` along
   * `inner`): a lock-order edge.
   */
  order?(
    held: LockFact,
    taken: LockRef,
    s: State,
    site: Site,
    via?: string,
    inner?: PathStep[],
    subclass?: string,
  ): void;
  /** An indirect call inside (`via` the callee that defers it, or direct), for the summary. */
  deferred?(d: Deferred, s: State, via: string | undefined, site: Site): void;
  /**
   * A lock taken from not held (for summaries); `inner` is the callee's witness when taken in a callee, `when`
   * the task facts the callee takes it under.
   */
  acquired?(
    op: Op & { k: 'acquire' },
    s: State,
    via?: string,
    inner?: PathStep[],
    when?: Guard[],
    dropped?: string[],
  ): void;
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
  /** The function's parameters. */
  params?: readonly string[];
  /** Keys the function itself takes somewhere. */
  acquiredKeys: ReadonlySet<string>;
  /** For evaluating flag-selecting wrappers at their call sites. */
  catalog: Catalog;
  /** Rewrite a lock name through the function's aliases (see aliases.ts). */
  canon?(key: string): string;
  /** Integer macros of the tree, to evaluate flag tests at call sites. */
  macros?: Macros;
  /** The VFS method the function is installed as (`foo_file_operations.unlocked_ioctl`): entered without its locks. */
  entryPoint?: string;
  /** The directory of the function's filesystem (`fs/foo`): where its own requirements come from. */
  home?: string;
  /** The filesystem the function belongs to (`fs/btrfs`): a callee's per-filesystem lock classes are its. */
  fs?: string;
  /**
   * The summary of a callee specialised for the functions the call passes it as arguments, when it calls them
   * through its parameters (`get_block(..)`); undefined when it does not.
   */
  specialize?(callee: string, args: readonly string[]): Summary | undefined;
  /**
   * The page-fault handlers (VM_FAULT_OPS) of the function's filesystem, which a user buffer mmapped from one of
   * its files faults into; undefined where the tree is not known yet (a check that needs them waits for it).
   */
  faultHandlers?(): IndirectTarget[];
  /** The locks filesystem reclaim takes (RECLAIM_ENTRIES), by lock class; undefined as above. */
  reclaimTakes?(): ReadonlyMap<string, ReclaimTake>;
  /** Every summary of the tree is known: a check that waits for the tree decides now (FunctionEnv.wholeTree). */
  wholeTree?: boolean;
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
export function loopVariant(ref: LockRef, assigned: ReadonlySet<string>): boolean {
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
    // one that fails instead of waiting (`FGP_NOWAIT`) fails here: the caller's test of its result goes the other way
    if (op.nowait) return s;
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
  if (SLEEPING_KINDS.has(op.lock.kind) && !via && !op.nowait) sleep(s, `${op.via}(${op.lock.display})`, op.site, obs);
  if (obs?.order && !op.nowait)
    for (const f of s.locks.values()) if (isHeld(f)) obs.order(f, op.lock, s, op.site, via, inner, op.subclass);
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
 * through another pointer (`old->x` for `new->x`, `op->orig->x` for `op->new->x`, `SB(dir)->s.rw` for
 * `SB(inode)->s.rw`).
 */
function aliasOf(s: State, key: string, _root: string): string | undefined {
  // the member path after the last pointer (`->i_lock`, `->cp_rwsem.internal_rwsem`)
  const field = /->([A-Za-z_][\w.]*)$/.exec(key)?.[1];
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

/**
 * Something that sleeps only under `when` (guards still open here, in this function's terms), which this function
 * does not decide. Allocation flags it cannot read are not taken to block (as with a direct allocation); any other
 * test left open is taken to hold where an atomic section is held. Otherwise recorded, under its guard, for the
 * summary.
 */
export function sleepIf(
  s: State,
  what: string,
  when: Guard[],
  site: Site,
  obs?: Observer,
  via?: string,
  inner?: PathStep[],
): State {
  const atomic = [...s.locks.values()].find((f) => isHeld(f) && ATOMIC_KINDS.has(f.ref.kind));
  if (atomic) {
    if (!when.some((g) => blockingFlags(g.test) !== undefined)) obs?.sleepInAtomic?.(what, atomic, s, site, via, inner);
  } else obs?.maySleepIf?.(what, when, s, site, via, inner);
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
