/** The state a function starts in: locks its callers hold by annotation or by the VFS contract. */
import { type FunctionIR, type LockRef, type OpsSlot, type Site, normaliseExpr } from '../ir';
import { type Mode, vfsEntry } from '../model';
import { type LockFact, initialState } from './domain';
import { type Solution, runNode } from './solver';
import { relativise } from './summarise';
import type { Observer, TransferContext } from './transfer';

/** A lock the caller holds on entry by contract (the VFS's locking rules). */
export interface EntryFact {
  key: string;
  display: string;
  mode: 'excl' | 'shared';
  kind: LockFact['ref']['kind'];
  class: string | null;
  via: string;
}

/**
 * Locks the caller holds on entry: __releases/__must_hold annotations, contract locks (VFS ops), and locks the
 * function releases before it takes them (`releasedFirst`).
 */
export function entryStateOf(ir: FunctionIR, contract: EntryFact[] = [], first: ReleasedFirst[] = []) {
  const locks = new Map<string, LockFact>();
  for (const r of first) {
    // inferred: after it drops the lock, a retake by a callee we cannot see is not a double unlock
    locks.set(r.ref.key, {
      ref: r.ref,
      status: 'caller',
      mode: r.mode,
      via: `${r.via} before any lock: the caller holds it`,
      inferred: true,
    });
  }
  for (const c of contract) {
    // inferred: the function may legitimately release it (->read_folio unlocks its folio when done)
    locks.set(c.key, {
      ref: { key: c.key, display: c.display, class: c.class, kind: c.kind, recursive: false },
      status: 'caller',
      mode: c.mode,
      via: c.via,
      inferred: true,
    });
  }
  for (const keys of [...ir.annotations.releases, ...ir.annotations.mustHold]) {
    const key = keys[0];
    const display = key.startsWith('*') ? key.slice(1) : `&${key}`;
    for (const k of keys) {
      locks.set(k, {
        ref: { key: k, display, class: null, kind: 'other', recursive: false },
        status: 'caller',
        mode: 'excl',
        via: ir.annotations.releases.includes(keys) ? '__releases' : '__must_hold',
      });
    }
  }
  return initialState(locks);
}

/** The locks the VFS holds when it calls a function through the ops-table slots it is installed in. */
export function vfsEntryLocks(ir: FunctionIR, slots: readonly OpsSlot[]): EntryFact[] {
  const out: EntryFact[] = [];
  for (const slot of slots) {
    const e = vfsEntry(slot.type, slot.field, ir.params.length);
    if (!e) continue;
    for (const l of e.locks) {
      const key = normaliseExpr(l.lock.replace(/\{(\d+)\}/g, (_m, i: string) => `(${ir.params[Number(i)] || '?'})`));
      out.push({
        key: ir.canon ? ir.canon(key) : key,
        display: key.startsWith('PG_locked') ? key : `&${key}`,
        mode: l.mode,
        kind: l.kind,
        class: l.class,
        via: `VFS: ->${slot.field} is called with it held`,
      });
    }
  }
  return out;
}

/** A lock the function releases before it ever takes it: its caller holds it on entry (an inferred __must_hold). */
export interface ReleasedFirst {
  ref: LockRef;
  mode: Mode;
  /** The release that comes first (`spin_unlock`), and where. */
  via: string;
  site: Site;
}

/** The locks `ir` takes or is seen to have taken itself, and the releases it makes of locks it never took. */
function firstOps(sol: Solution, ctx: TransferContext): { taken: Set<string>; released: Map<string, ReleasedFirst> } {
  const { ir } = sol;
  const taken = new Set<string>();
  const released = new Map<string, ReleasedFirst>();
  const silent = (): void => {
    /* only the first operations are collected */
  };
  const observer: Observer = {
    recursive: silent,
    doubleUnlock: silent,
    releaseHeld: silent,
    releaseUnknown(op) {
      if (released.has(op.lock.key)) return;
      const mode = modeOfTake(ir, op.lock.key);
      released.set(op.lock.key, { ref: op.lock, mode, via: op.via, site: op.site });
    },
    // taken from not held: on this path the first operation on the lock is not a release
    acquired(op) {
      taken.add(op.lock.key);
    },
  };
  const quiet = { ...ctx, tainted: new Set<string>() };
  for (const id of sol.order) for (const s of sol.inStates[id]) runNode(ir, id, s, quiet, observer);
  // taken by a trylock on an edge, or through a callee's effect: the state says it was taken here
  for (const set of sol.inStates) {
    for (const s of set) {
      for (const [k, f] of s.locks) {
        if (f.status === 'held' || f.status === 'released' || (f.status === 'handed' && f.handedFrom === 'held'))
          taken.add(k);
      }
    }
  }
  for (const k of quiet.tainted) taken.add(k);
  return { taken, released };
}

/** Cheap test before the replay: some path drops a lock it did not take (or a return releases one). */
function mayReleaseFirst(sol: Solution): boolean {
  const entry = sol.inStates[sol.ir.entry];
  for (const set of sol.inStates) {
    for (const s of set) {
      for (const [k, f] of s.locks) {
        if (f.status === 'dropped') return true;
        if (f.status === 'caller' && ![...entry].some((e) => e.locks.has(k))) return true;
      }
    }
  }
  return sol.ir.nodes.some((n) => n.kind === 'return' && n.ops.length > 0);
}

/** The mode the function takes the lock back in (`down_read` after `up_read`); exclusive when it never does. */
function modeOfTake(ir: FunctionIR, key: string): Mode {
  for (const n of ir.nodes) for (const op of n.ops) if (op.k === 'acquire' && op.lock.key === key) return op.mode;
  return 'excl';
}

/**
 * Entry contracts inferred from the order of operations: a lock whose first operation, on every path that
 * touches it, is a release (a helper that drops its caller's lock around some work and takes it back) is held
 * on entry, as if annotated __must_hold. One path that takes it first (a goto to an unlock before the lock,
 * a trylock, a callee that takes it) and nothing is inferred: that release stays an unlock-not-held. Only
 * locks the function takes back itself, that the caller can name (through a parameter, or global), and none
 * the function says it acquires.
 */
export function releasedFirst(sol: Solution, ctx: TransferContext): ReleasedFirst[] {
  const { ir } = sol;
  if (!mayReleaseFirst(sol)) return [];
  const { taken, released } = firstOps(sol, ctx);
  const acquires = new Set(ir.annotations.acquires.flat());
  const out: ReleasedFirst[] = [];
  for (const [key, r] of released) {
    // it takes the lock back itself: a release first with no retake may follow a take we cannot see (a
    // lock-returning callee), and an unlock helper's release is its summary's effect already
    if (!ctx.acquiredKeys.has(key) || taken.has(key) || ctx.tainted.has(key) || acquires.has(key)) continue;
    if (key.startsWith('class:') || relativise(key, ir) === undefined) continue;
    out.push(r);
  }
  return out;
}
