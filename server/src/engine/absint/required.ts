/**
 * Locks a callee needs held, checked at its call against what the caller holds (calls.ts): reported where this
 * path released the lock or never took it, else passed up to the caller's callers.
 */
import { privateLockClass } from '../model';
import { type State, isHeld } from './domain';
import type { LockRef, Site } from '../ir';
import { rootIdentifier } from '../ir';
import { type Observer, type Summary, type TransferContext, findFact } from './transfer';
import { evalGuards, substitute } from './guard';
import { canon, displayFor } from './binding';

/**
 * Locks the callee needs held. Held: fine. Released earlier on this path: reported. Never taken on
 * this path while the caller takes it on others: reported. Otherwise the caller's caller may hold
 * it: the requirement is passed up.
 */
export function checkRequired(
  s: State,
  sum: Summary,
  args: readonly (string | undefined)[],
  callee: string,
  site: Site,
  ctx: TransferContext,
  obs: Observer | undefined,
  met?: ReadonlyMap<string, string>,
): void {
  for (const r of sum.requires) {
    // needed only under a guard this call decides false: not needed here
    const open = r.when ? evalGuards(r.when, args, s.facts, ctx.macros) : [];
    if (!open) continue;
    const key = substitute(r.template, args);
    if (key === undefined) continue;
    const k = canon(key, ctx);
    if (met?.has(k)) continue;
    const lock: LockRef = { ...r.ref, key: k, display: displayFor(k, r.ref) };
    const hit = findFact(s, lock);
    if (hit && isHeld(hit[1])) continue;
    // a callee may have taken it (it keeps the lock on some of its exits only, under tests this call cannot
    // decide): what is held here is not known, so neither reported nor passed up
    if (!hit && ctx.tainted.has(k)) continue;
    if (hit && (hit[1].status === 'released' || (hit[1].status === 'dropped' && !hit[1].inferred))) {
      obs?.missingLock?.(lock, r.via, s, site, callee, r.witness, 'released');
    } else if (!hit && ctx.acquiredKeys.has(k)) {
      obs?.missingLock?.(lock, r.via, s, site, callee, r.witness, 'not-taken');
    } else if (!hit) {
      // a lock of the same class held here is, most likely, the one required under another name (a back-pointer
      // such as `cap->owner->lock` while `owner->lock` is held): neither reported nor passed up
      if (sameClassHeld(s, lock)) continue;
      const why = unowned(s, lock, r, ctx);
      if (why) obs?.missingLock?.(lock, r.via, s, site, callee, r.witness, why);
      obs?.requirement?.(lock, r.via, s, site, callee, r.witness, open);
    }
  }
}

/**
 * Is a lock of `lock`'s class held in `s`? Only a class of a filesystem's own (a member of its private struct):
 * a generic class (every inode's `i_rwsem`) says too little about which object it is.
 */
function sameClassHeld(s: State, lock: LockRef): boolean {
  if (!lock.class || !privateLockClass(lock.class)) return false;
  for (const f of s.locks.values()) if (isHeld(f) && f.ref.class === lock.class) return true;
  return false;
}

/** Assertions of the kernel's own whose lock names a requirement can be trusted to carry up (not `__releases`). */
const KERNEL_ASSERT = /^(lockdep_assert|assert_spin_locked|WARN_ON|BUG_ON)/;

/** Calls a requirement passes up through and still names its lock reliably. */
const MAX_REQUIREMENT_HOPS = 4;

/**
 * A required lock no caller can be holding: a lock of the filesystem's own, in a method the VFS calls (the VFS
 * never takes it). Only for a kernel assertion inside the function's own filesystem a few calls down (a
 * requirement carried further, or out of another subsystem, names its lock too loosely to stand alone), and not
 * when a lock of the same class is held here (the same object under another name, perhaps). Objects the
 * function obtained itself are not counted: their locks are often taken by the lookup (a btrfs path's nodes)
 * under names the requirement does not carry.
 */
function unowned(s: State, lock: LockRef, r: Summary['requires'][number], ctx: TransferContext): 'entry' | undefined {
  if (!ctx.entryPoint || !privateLockClass(lock.class)) return undefined;
  const home = ctx.home;
  if (home === undefined || !KERNEL_ASSERT.test(r.via)) return undefined;
  if (r.witness.filter((w) => w.note.startsWith('calls ')).length > MAX_REQUIREMENT_HOPS) return undefined;
  if (!r.witness.every((w) => w.file.startsWith(`${home}/`))) return undefined;
  const member = /->([A-Za-z_][\w.]*)$/.exec(lock.key)?.[1];
  for (const f of s.locks.values()) if (isHeld(f) && member && f.ref.key.endsWith(`->${member}`)) return undefined;
  const root = rootIdentifier(lock.key.replace(/^\*/, ''));
  return root && !ctx.locals.has(root) ? 'entry' : undefined;
}
