/**
 * The locks a lock-primitive call designates, from the catalog entry and the call's arguments: the argument's
 * lock (`{arg}->i_rwsem`), a global context (RCU), a range (`tree [start, end]`), or the locks a flag set selects
 * (`xfs_ilock(ip, XFS_ILOCK_EXCL)`; several for several flags, one symbolic lock when the flags are not constant).
 */
import type { Node } from 'web-tree-sitter';
import type { LockPrimitive, Mode } from '../model';
import { type LockRef, applyTemplate, displayOfKey, flagLocks, keyOfPointer, normaliseExpr, symbolicLock } from '../ir';

export interface PrimitiveLocks {
  locks: { ref: LockRef; mode: Mode }[];
  /** The call has no argument where the lock should be. */
  missing?: true;
  /** A symbolic lock (flags not constant here), silent in this function: evaluated where a caller passes constants. */
  symbolic?: string;
}

export function primitiveLocks(prim: LockPrimitive, args: Node[]): PrimitiveLocks {
  if (prim.returns) return { locks: [] }; // on the result: named where it is assigned (cond.ts, returnedLocks)
  const argIdx = prim.arg ?? 0;
  const mk = (key: string, cls: string | null, kind = prim.kind, base?: string): LockRef => ({
    key,
    display: displayOfKey(key),
    class: cls,
    kind,
    recursive: !!prim.recursive,
    ...(base ? { base } : {}),
  });
  if (argIdx < 0) {
    const global = prim.lock ?? prim.name;
    return { locks: [{ ref: { ...mk(global, prim.class ?? null), display: global }, mode: prim.mode ?? 'excl' }] };
  }
  const a = args[argIdx];
  if (!a) return { locks: [], missing: true };
  if (prim.flags) {
    const fa = args[prim.flags.arg];
    if (!fa) return { locks: [] };
    const known = flagLocks(prim, a.text, fa.text);
    if (known) return { locks: known };
    // flags not constant here (`xfs_ilock(ip, lock_mode)`): a symbolic lock matched by the same text
    const ref = symbolicLock(prim, a.text, fa.text);
    return { locks: [{ ref, mode: 'excl' }], symbolic: ref.key };
  }
  if (prim.range) {
    const base = keyOfPointer(a.text);
    const lo = args[prim.range[0]];
    const hi = args[prim.range[1]];
    const key = `${base}[${lo ? normaliseExpr(lo.text) : '?'}..${hi ? normaliseExpr(hi.text) : '?'}]`;
    const display = `${displayOfKey(base)} [${lo?.text ?? '?'}, ${hi?.text ?? '?'}]`;
    return {
      locks: [{ ref: { ...mk(key, prim.class ?? null, prim.kind, base), display }, mode: prim.mode ?? 'excl' }],
    };
  }
  const key = prim.lock ? applyTemplate(prim.lock, a.text) : keyOfPointer(a.text);
  return { locks: [{ ref: mk(key, prim.class ?? null), mode: prim.mode ?? 'excl' }] };
}
