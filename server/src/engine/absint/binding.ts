/**
 * Naming a callee's summary at a call (beyond guard.ts's substitute and tests): pointer tests the caller's locks
 * decide, the locks it needs that the caller holds under another name, and what it leaves in the caller's
 * variables whose addresses it is given.
 */
import { type State, isHeld } from './domain';
import type { LockRef } from '../ir';
import { type Summary, type TransferContext, findFact } from './transfer';
import { substitute } from './guard';

export function displayFor(key: string, ref: LockRef): string {
  return ref.display.startsWith('&') ? `&${key}` : key.startsWith('*') ? key.slice(1) : key;
}

export function canon(key: string, ctx: TransferContext): string {
  if (!ctx.canon) return key;
  return key.startsWith('*') ? `*${ctx.canon(key.slice(1))}` : ctx.canon(key);
}

/**
 * A pointer test (`{0}->d_inode`) the caller's state decides: a lock it holds through that pointer
 * (`dentry->d_inode->i_lock`) means the pointer is not NULL. Undefined otherwise.
 */
export function heldThrough(
  s: State,
  test: string,
  args: readonly (string | undefined)[],
  ctx: TransferContext,
  met?: ReadonlyMap<string, string>,
) {
  if (!/^\{\d+\}(->[A-Za-z_]\w*)+$/.test(test)) return undefined;
  const ptr = substitute(test, args);
  if (ptr === undefined) return undefined;
  const p = canon(ptr, ctx);
  for (const [k, f] of s.locks) if (isHeld(f) && k.startsWith(`${p}->`)) return true;
  // a lock the callee needs through that pointer, which the caller holds under its own name (requiredAs)
  for (const k of met?.keys() ?? []) if (k.startsWith(`${p}->`)) return true;
  return undefined;
}

/**
 * Locks the callee needs held (`dentry->d_inode->i_lock`) that the caller holds under a name it cannot relate
 * (`inode->i_lock`, the dentry being one of the inode's aliases): when it holds exactly one lock of that field
 * (and class), and does not name the required one anywhere itself, it meets the requirement with that one, and
 * the callee's effects on the required lock apply to it. Callee names to the caller's (key and fact).
 */
export function requiredAs(
  s: State,
  sum: Summary,
  args: readonly (string | undefined)[],
  ctx: TransferContext,
): Map<string, string> | undefined {
  let out: Map<string, string> | undefined;
  for (const r of sum.requires) {
    const key = substitute(r.template, args);
    if (key === undefined) continue;
    const k = canon(key, ctx);
    // a lock reached through a pointer field of the argument (`dentry->d_inode->i_lock`), not one it names
    const field = /^[A-Za-z_]\w*(?:->[A-Za-z_]\w*)+->([A-Za-z_]\w*)$/.exec(k)?.[1];
    if (!field || ctx.acquiredKeys.has(k) || findFact(s, { ...r.ref, key: k })) continue;
    const held = [...s.locks].filter(
      ([hk, f]) =>
        isHeld(f) &&
        hk.endsWith(`->${field}`) &&
        f.ref.kind !== 'other' &&
        (!r.ref.class || !f.ref.class || r.ref.class === f.ref.class),
    );
    if (held.length === 1) (out ??= new Map()).set(k, held[0][0]);
  }
  return out;
}
